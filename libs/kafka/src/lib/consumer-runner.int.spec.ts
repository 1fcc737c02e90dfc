import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { DependencyUnavailableError, PermanentError, TransientError } from '@ksef-bridge/errors';
import { randomGroup, randomTopic, testKafkaBrokers, waitFor } from '@ksef-bridge/testing';
import { DLT_HEADER } from './dead-letter';
import { createKafka } from './kafka-client';
import { KafkaConsumerRunner } from './kafka-consumer-runner';
import { KafkaPublisher } from './kafka-publisher';
import { TopicAdmin } from './topic-admin';
import type { ReceivedMessage } from './ports';

const brokers = testKafkaBrokers();

function envelope(n: number, kind: string): Envelope {
  return { id: randomUUID(), type: 'test.happened', version: 1, aggregateId: 'one-partition', tenant: 't1', occurredAt: new Date().toISOString(), payload: { n, kind }, headers: { 'correlation-id': `c-${n}` } };
}

describe('consumer runner under the error taxonomy (real broker)', () => {
  const client = createKafka({ brokers, clientId: `runner-int-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const publisher = new KafkaPublisher(client);
  const topic = randomTopic('runner');
  const dlt = deadLetterTopic(topic);
  const raw = new Kafka({ brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    await admin.ensureTopics([
      { name: topic, partitions: 1, retentionMs: 3_600_000 },
      { name: dlt, partitions: 1, retentionMs: 3_600_000 },
    ]);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await admin.deleteTopics([topic, dlt]).catch(() => undefined);
  });

  it('dead-letters poison messages with their headers and error facts while later messages on the partition proceed', async () => {
    // One partition, in this order: ok, permanent failure, ok, not an envelope at all, flaky (2 transient failures),
    // always transient (exhausts retries), ok.
    const kinds = ['ok', 'permanent', 'ok', 'garbage', 'flaky', 'down', 'ok'];
    const envelopes = kinds.map((k, n) => envelope(n, k));
    const producer = raw.producer();
    await producer.connect();
    for (const [n, e] of envelopes.entries()) {
      if (kinds[n] === 'garbage') await producer.send({ topic, messages: [{ key: 'one-partition', value: '{not json', headers: { 'correlation-id': 'c-garbage' } }] });
      else await publisher.publish(topic, e);
    }
    await producer.disconnect();

    const applied: number[] = [];
    const attemptsSeen = new Map<number, number>();
    const runner = new KafkaConsumerRunner(client, {
      groupId: randomGroup('runner'),
      topics: [topic],
      fromBeginning: true,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      handler: async (messages: ReceivedMessage[]) => {
        // All-or-nothing, like a DB transaction over the run.
        const ok: number[] = [];
        for (const m of messages) {
          const { n, kind } = m.envelope.payload as { n: number; kind: string };
          attemptsSeen.set(n, m.attempt);
          if (kind === 'permanent') throw new PermanentError('TEST_POISON', `message ${n} is poison`);
          if (kind === 'down') throw new TransientError('TEST_DEPENDENCY_DOWN', 'dependency unavailable');
          if (kind === 'flaky' && m.attempt < 3) throw new TransientError('TEST_FLAKY', 'try again');
          ok.push(n);
        }
        applied.push(...ok);
      },
    });
    void runner.start();
    await waitFor(() => applied.includes(6), { what: 'the last message applied', timeoutMs: 60_000 });
    await runner.stop();

    expect(applied.filter((n) => [0, 2, 4, 6].includes(n))).toEqual([0, 2, 4, 6]);
    expect(applied).not.toContain(1);
    expect(applied).not.toContain(5);
    expect(attemptsSeen.get(4)).toBe(3);
    expect(attemptsSeen.get(5)).toBe(3);

    const dead: KafkaMessage[] = [];
    const reader = raw.consumer({ groupId: randomGroup('dlt-reader') });
    await reader.connect();
    await reader.subscribe({ topic: dlt, fromBeginning: true });
    void reader.run({ eachMessage: async ({ message }) => void dead.push(message) });
    await waitFor(() => dead.length >= 3, { what: 'three dead letters', timeoutMs: 30_000 });
    await reader.disconnect();

    const h = (m: KafkaMessage, k: string) => m.headers?.[k]?.toString();
    expect(dead.map((m) => h(m, DLT_HEADER.errorCode))).toEqual(['TEST_POISON', 'VALIDATION_FAILED', 'TEST_DEPENDENCY_DOWN']);
    expect(dead.map((m) => h(m, DLT_HEADER.attempts))).toEqual(['1', '1', '3']);
    expect(dead.map((m) => h(m, DLT_HEADER.originalOffset))).toEqual(['1', '3', '5']);
    expect(dead.map((m) => h(m, 'correlation-id'))).toEqual(['c-1', 'c-garbage', 'c-5']);
    expect(h(dead[0], 'message-id')).toBe(envelopes[1].id);
    expect(h(dead[2], DLT_HEADER.retriable)).toBe('true');
    expect(dead[1].value?.toString()).toBe('{not json');
    expect(dead[0].key?.toString()).toBe('one-partition');
  });

  it('waits out an outage of our own database however long it lasts, and dead-letters nothing', async () => {
    const outageTopic = randomTopic('runner-outage');
    await admin.ensureTopics([
      { name: outageTopic, partitions: 1, retentionMs: 3_600_000 },
      { name: deadLetterTopic(outageTopic), partitions: 1, retentionMs: 3_600_000 },
    ]);
    for (const n of [0, 1]) await publisher.publish(outageTopic, envelope(n, 'ok'));
    let databaseUp = false;
    const applied: number[] = [];
    let lastAttempt = 0;
    const dead: unknown[] = [];
    const runner = new KafkaConsumerRunner(client, {
      groupId: randomGroup('runner-outage'),
      topics: [outageTopic],
      fromBeginning: true,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      metrics: { processed: () => undefined, retried: () => undefined, deadLettered: (topic) => void dead.push(topic) },
      handler: async (messages: ReceivedMessage[]) => {
        lastAttempt = messages[0].attempt;
        if (!databaseUp) throw new DependencyUnavailableError('DB_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:5432');
        applied.push(...messages.map((m) => (m.envelope.payload as { n: number }).n));
      },
    });
    void runner.start();
    // Far more attempts than maxAttempts (3): a bounded retry would have dead-lettered the message by now.
    await waitFor(() => lastAttempt >= 10, { what: 'ten attempts during the outage', timeoutMs: 30_000 });
    databaseUp = true;
    await waitFor(() => applied.length === 2, { what: 'both messages applied after the outage', timeoutMs: 30_000 });
    await runner.stop();
    expect(applied).toEqual([0, 1]);
    expect(dead).toEqual([]);
    await admin.deleteTopics([outageTopic, deadLetterTopic(outageTopic)]).catch(() => undefined);
  });

  it('rebalances a group: two members share the partitions, and when one leaves the other takes over without loss', async () => {
    const shared = randomTopic('rebalance');
    await admin.ensureTopics([{ name: shared, partitions: 4, retentionMs: 3_600_000 }, { name: deadLetterTopic(shared), partitions: 1, retentionMs: 3_600_000 }]);
    const groupId = randomGroup('rebalance');
    const seen = new Map<string, Set<number>>();
    const member = (name: string) => {
      seen.set(name, new Set());
      return new KafkaConsumerRunner(client, {
        groupId,
        topics: [shared],
        fromBeginning: true,
        handler: async (messages) => messages.forEach((m) => seen.get(name)!.add((m.envelope.payload as { n: number }).n)),
      });
    };
    const a = member('a');
    const b = member('b');
    await Promise.all([a.start(), b.start()]);
    const first = [...Array(40)].map((_, n) => ({ ...envelope(n, 'ok'), aggregateId: `k-${n}` }));
    // The shared publisher has sent to topics the previous test deleted: it must still publish here.
    await publisher.publishBatch(first.map((e) => ({ topic: shared, envelope: e })));
    await waitFor(() => seen.get('a')!.size + seen.get('b')!.size >= 40, { what: 'first wave consumed', timeoutMs: 60_000 });
    expect(seen.get('a')!.size).toBeGreaterThan(0);
    expect(seen.get('b')!.size).toBeGreaterThan(0);

    await b.stop();
    const second = [...Array(40)].map((_, i) => ({ ...envelope(40 + i, 'ok'), aggregateId: `k-${i}` }));
    await publisher.publishBatch(second.map((e) => ({ topic: shared, envelope: e })));
    await waitFor(() => [...Array(40)].every((_, i) => seen.get('a')!.has(40 + i)), { what: 'the remaining member to take every partition over', timeoutMs: 60_000 });
    await a.stop();
    const all = new Set([...seen.get('a')!, ...seen.get('b')!]);
    expect(all.size).toBe(80);
    await admin.deleteTopics([shared, deadLetterTopic(shared)]).catch(() => undefined);
  });
});
