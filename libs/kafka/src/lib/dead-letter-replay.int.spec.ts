import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from '@ksef-bridge/contracts';
import { randomGroup, randomTopic, testKafkaBrokers, waitFor } from '@ksef-bridge/testing';
import { DLT_HEADER } from './dead-letter';
import { replayDeadLetters, REPLAYED_FROM_HEADER } from './dead-letter-replay';
import { createKafka } from './kafka-client';
import { TopicAdmin } from './topic-admin';

// An operator fixed the cause of some dead letters: the replay puts exactly those back on the original topic, as they
// were (key, value, original headers), and nothing else.
describe('replayDeadLetters (real broker)', () => {
  const brokers = testKafkaBrokers();
  const client = createKafka({ brokers, clientId: `replay-int-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const topic = randomTopic('replay');
  const dlt = deadLetterTopic(topic);
  const raw = new Kafka({ brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    await admin.ensureTopics([
      { name: topic, partitions: 2, retentionMs: 3_600_000 },
      { name: dlt, partitions: 1, retentionMs: 3_600_000 },
    ]);
    const producer = raw.producer();
    await producer.connect();
    const dead = (n: number, code: string, at: string) => ({
      key: `key-${n}`,
      value: `{"n":${n}}`,
      headers: { 'message-id': `m-${n}`, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, [DLT_HEADER.errorCode]: code, [DLT_HEADER.deadLetteredAt]: at, [DLT_HEADER.originalTopic]: topic },
    });
    await producer.send({ topic: dlt, messages: [dead(1, 'DB_UNAVAILABLE', '2026-01-01T10:00:00Z'), dead(2, 'VALIDATION_FAILED', '2026-01-01T11:00:00Z'), dead(3, 'DB_UNAVAILABLE', '2026-01-02T10:00:00Z')] });
    await producer.disconnect();
  });
  afterAll(() => admin.deleteTopics([topic, dlt]).catch(() => undefined));

  it('counts without publishing on a dry run, then replays only the selected messages with their original headers', async () => {
    expect(await replayDeadLetters(client, { topic, codes: ['DB_UNAVAILABLE'], dryRun: true })).toEqual({ scanned: 3, replayed: 2, byCode: { DB_UNAVAILABLE: 2 } });
    expect(await replayDeadLetters(client, { topic, codes: ['DB_UNAVAILABLE'], since: new Date('2026-01-02T00:00:00Z') })).toEqual({ scanned: 3, replayed: 1, byCode: { DB_UNAVAILABLE: 1 } });

    const seen: KafkaMessage[] = [];
    const reader = raw.consumer({ groupId: randomGroup('replay-reader') });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    void reader.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor(() => seen.length >= 1, { what: 'the replayed message', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    await reader.disconnect();

    expect(seen).toHaveLength(1);
    const [m] = seen;
    expect(m.key?.toString()).toBe('key-3');
    expect(m.value?.toString()).toBe('{"n":3}');
    expect(m.headers?.['message-id']?.toString()).toBe('m-3');
    expect(m.headers?.traceparent?.toString()).toMatch(/^00-a{32}-/);
    expect(Object.keys(m.headers ?? {}).filter((k) => k.startsWith('dlt-') && k !== REPLAYED_FROM_HEADER)).toEqual([]);
    expect(m.headers?.[REPLAYED_FROM_HEADER]?.toString()).toBe('0:2');
  });

  it('replays nothing from an empty dead-letter topic', async () => {
    const empty = randomTopic('replay-empty');
    await admin.ensureTopics([{ name: deadLetterTopic(empty), partitions: 1, retentionMs: 3_600_000 }]);
    expect(await replayDeadLetters(client, { topic: empty })).toEqual({ scanned: 0, replayed: 0, byCode: {} });
    await admin.deleteTopics([deadLetterTopic(empty)]).catch(() => undefined);
  });
});
