import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { deadLetterTopic } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { withTransaction } from '@ksef-bridge/persistence';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, waitFor, type TestDatabase } from '@ksef-bridge/testing';
import { appliedCounts, outboxTestDataSource } from '../test/outbox-fixture';
import { Inbox, inboxHandler } from './inbox';
import { newEnvelope } from './envelope-factory';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

const brokers = testKafkaBrokers();

describe('outbox + relay + inbox against real Kafka and PostgreSQL', () => {
  const client = createKafka({ brokers, clientId: `outbox-int-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const publisher = new KafkaPublisher(client);
  const topic = randomTopic('outbox');
  let db: TestDatabase;
  let ds: DataSource;
  const writer = new OutboxWriter('svc');

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    ds = await outboxTestDataSource(db.config);
    await admin.ensureTopics([
      { name: topic, partitions: 3, retentionMs: 3_600_000 },
      { name: deadLetterTopic(topic), partitions: 1, retentionMs: 3_600_000 },
    ]);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await admin.deleteTopics([topic, deadLetterTopic(topic)]).catch(() => undefined);
    await ds?.destroy();
    await db?.drop();
  });

  it('rolls back the events with the business write: no dual write', async () => {
    const envelope = newEnvelope({ type: 'test.happened', version: 1, aggregateId: 'a', tenant: 't', payload: {} });
    await expect(
      withTransaction(ds, async (m) => {
        await writer.enqueue(m, [{ topic, envelope }]);
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow();
    expect(await ds.query(`SELECT 1 FROM svc.outbox WHERE id = $1`, [envelope.id])).toEqual([]);
    await expect(withTransaction(ds, (m) => writer.enqueue(m, [{ topic, envelope: { ...envelope, id: 'not-a-uuid' } }]))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('applies every event exactly once although Kafka delivers duplicates and a second consumer re-reads everything', async () => {
    const ids: string[] = [];
    for (let tx = 0; tx < 20; tx++) {
      await withTransaction(ds, async (m) => {
        const batch = [...Array(10)].map((_, i) => newEnvelope({ type: 'test.happened', version: 1, aggregateId: `agg-${(tx * 10 + i) % 7}`, tenant: 't', payload: { n: tx * 10 + i } }));
        ids.push(...batch.map((e) => e.id));
        await writer.enqueue(m, batch.map((envelope) => ({ topic, envelope })));
      });
    }
    const relay = new OutboxRelay(ds, publisher, { schema: 'svc', batchSize: 37, pollIntervalMs: 20 });
    relay.start();
    await waitFor(async () => (await relay.stats()).pending === 0, { what: 'outbox drained' });
    await relay.stop();
    // A relay that crashed between Kafka's ack and marking rows sent re-publishes them: emulate it for 50 rows.
    const resent: Array<{ envelope: unknown }> = await ds.query(`SELECT envelope FROM svc.outbox ORDER BY seq LIMIT 50`);
    await publisher.publishBatch(resent.map((r) => ({ topic, envelope: r.envelope as never })));

    const seen: ReceivedMessage[] = [];
    const effect = async (m: import('typeorm').EntityManager, msg: ReceivedMessage) => {
      await m.query(`INSERT INTO svc.applied (message_id, aggregate_id, n) VALUES ($1, $2, $3)`, [msg.envelope.id, msg.envelope.aggregateId, (msg.envelope.payload as { n: number }).n]);
    };
    const consume = async (groupId: string) => {
      let delivered = 0;
      const runner = new KafkaConsumerRunner(client, {
        groupId,
        topics: [topic],
        fromBeginning: true,
        handler: async (messages) => {
          await inboxHandler(ds, new Inbox('svc', 'applier'), effect)(messages);
          delivered += messages.length;
          seen.push(...messages);
        },
      });
      void runner.start();
      await waitFor(() => delivered >= 250, { what: `group ${groupId} to read all 250 deliveries`, timeoutMs: 60_000 });
      await runner.stop();
    };
    await consume(randomGroup('first'));
    await consume(randomGroup('second')); // a full redelivery of the topic, as after lost offsets

    const counts = await appliedCounts(ds);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(ids));
    // Per-aggregate order survived relay batching and partitioning.
    const rows: Array<{ aggregate_id: string; n: number }> = await ds.query(`SELECT aggregate_id, n FROM svc.applied ORDER BY at`);
    for (let a = 0; a < 7; a++) {
      const ns = rows.filter((r) => r.aggregate_id === `agg-${a}`).map((r) => r.n);
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
    }
    expect(seen.every((m) => m.traceparent === undefined || /^00-[0-9a-f]{32}-/.test(m.traceparent))).toBe(true);
  });

  it('parks a row Kafka keeps refusing and holds back later events of the same aggregate only', async () => {
    const missing = `missing.${randomUUID()}`;
    const poison = newEnvelope({ type: 'test.happened', version: 1, aggregateId: 'poisoned', tenant: 't', payload: { n: 1 } });
    const after = newEnvelope({ type: 'test.happened', version: 1, aggregateId: 'poisoned', tenant: 't', payload: { n: 2 } });
    const other = newEnvelope({ type: 'test.happened', version: 1, aggregateId: 'healthy', tenant: 't', payload: { n: 3 } });
    await withTransaction(ds, (m) => writer.enqueue(m, [{ topic: missing, envelope: poison }, { topic, envelope: after }, { topic, envelope: other }]));
    const parked: number[] = [];
    const relay = new OutboxRelay(ds, publisher, { schema: 'svc', maxPermanentAttempts: 2, maxBackoffMs: 50, pollIntervalMs: 20, metrics: { published: () => undefined, failed: () => undefined, parked: (n) => parked.push(n) } });
    relay.start();
    await waitFor(async () => (await relay.stats()).parked === 1, { what: 'poison row parked', timeoutMs: 90_000 });
    await waitFor(async () => (await ds.query(`SELECT sent_at FROM svc.outbox WHERE id = $1`, [other.id]))[0].sent_at !== null, { what: 'other aggregate published' });
    await relay.stop();
    const [row] = await ds.query(`SELECT attempts, last_error_code FROM svc.outbox WHERE id = $1`, [poison.id]);
    expect(row).toMatchObject({ attempts: 2, last_error_code: 'KAFKA_TOPIC_UNKNOWN' });
    expect((await ds.query(`SELECT sent_at FROM svc.outbox WHERE id = $1`, [after.id]))[0].sent_at).toBeNull();
    expect(parked).toEqual([1]);
    // An operator requeues it after fixing the cause (here: it stays broken, so it comes back parked).
    expect(await relay.requeueParked([poison.id])).toBe(1);
  }, 120_000);
});
