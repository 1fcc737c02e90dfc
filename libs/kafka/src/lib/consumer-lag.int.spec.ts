import { randomUUID } from 'node:crypto';
import type { Envelope } from '@ksef-bridge/contracts';
import { randomGroup, randomTopic, testKafkaBrokers, waitFor } from '@ksef-bridge/testing';
import { ConsumerLagReader } from './consumer-lag';
import { createKafka } from './kafka-client';
import { KafkaConsumerRunner } from './kafka-consumer-runner';
import { KafkaPublisher } from './kafka-publisher';
import { TopicAdmin } from './topic-admin';

const brokers = testKafkaBrokers();

function envelope(n: number): Envelope {
  return { id: randomUUID(), type: 'test.happened', version: 1, aggregateId: `key-${n}`, tenant: 't1', occurredAt: new Date().toISOString(), payload: { n }, headers: {} };
}

describe('consumer lag (real broker)', () => {
  const client = createKafka({ brokers, clientId: `lag-int-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const publisher = new KafkaPublisher(client);
  const topic = randomTopic('lag');
  const other = randomTopic('lag-other');

  beforeAll(async () => {
    await admin.ensureTopics([
      { name: topic, partitions: 3, retentionMs: 3_600_000 },
      { name: other, partitions: 1, retentionMs: 3_600_000 },
    ]);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await admin.deleteTopics([topic, other]).catch(() => undefined);
  });

  it('counts N produced and unconsumed messages as lag N per group and topic, and 0 once the group consumed them', async () => {
    const N = 7;
    for (let n = 0; n < N; n++) await publisher.publish(topic, envelope(n));
    const groupId = randomGroup('lag');
    const groups = [{ groupId, topics: [topic, other] }];
    const reader = new ConsumerLagReader(client, { cacheMs: 0 });

    expect(await reader.read(groups)).toEqual(
      expect.arrayContaining([
        { groupId, topic, lag: N },
        { groupId, topic: other, lag: 0 },
      ]),
    );

    const seen: unknown[] = [];
    const runner = new KafkaConsumerRunner(client, { groupId, topics: [topic, other], fromBeginning: true, handler: async (messages) => void seen.push(...messages) });
    await runner.start();
    try {
      await waitFor(() => seen.length >= N, { timeoutMs: 60_000, what: `${N} messages consumed` });
      // Offsets are committed after the handler; lag reaches 0 once they are.
      await waitFor(async () => (await reader.read(groups)).find((l) => l.topic === topic)?.lag === 0, { timeoutMs: 30_000, what: 'lag 0 after consuming' });
      await publisher.publish(topic, envelope(N));
      await waitFor(() => seen.length >= N + 1, { timeoutMs: 30_000, what: 'the next message consumed' });
      await waitFor(async () => (await reader.read(groups)).find((l) => l.topic === topic)?.lag === 0, { timeoutMs: 30_000, what: 'lag 0 again' });
    } finally {
      await runner.stop();
    }
  });

  it('caches answers for cacheMs and reads again after it', async () => {
    let now = 0;
    const groupId = randomGroup('lag-cache');
    const reader = new ConsumerLagReader(client, { cacheMs: 5_000, now: () => now });
    const groups = [{ groupId, topics: [other] }];
    const before = await reader.read(groups);
    await publisher.publish(other, envelope(100));
    now = 4_000;
    expect(await reader.read(groups)).toBe(before);
    now = 5_001;
    expect(await reader.read(groups)).toEqual([{ groupId, topic: other, lag: before[0]!.lag + 1 }]);
  });

  it('a group with no topics reads as nothing, without a broker round', async () => {
    const reader = new ConsumerLagReader(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'nowhere' }));
    expect(await reader.read([])).toEqual([]);
  });
});
