import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { deadLetterTopic } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { withTransaction } from '@ksef-bridge/persistence';
import { createTestDatabase, randomGroup, randomTopic, startPrivateKafka, startPrivatePostgres, testKafkaBrokers, waitFor, type PrivateKafka, type PrivatePostgres, type TestDatabase } from '@ksef-bridge/testing';
import { appliedCounts, outboxTestDataSource } from '../test/outbox-fixture';
import { Inbox, inboxHandler } from './inbox';
import { newEnvelope } from './envelope-factory';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

// These tests stop and restart real servers, so they use private instances on random ports, never the shared ones.
const writer = new OutboxWriter('svc');

async function writeEvents(ds: DataSource, topic: string, count: number, perTx = 10): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += perTx) {
    await withTransaction(ds, async (m) => {
      const batch = [...Array(Math.min(perTx, count - done))].map((_, i) => newEnvelope({ type: 'test.happened', version: 1, aggregateId: `agg-${(done + i) % 11}`, tenant: 't', payload: { n: done + i } }));
      ids.push(...batch.map((e) => e.id));
      await writer.enqueue(m, batch.map((envelope) => ({ topic, envelope })));
    });
  }
  return ids;
}

const applyEffect = async (m: EntityManager, msg: ReceivedMessage) => {
  await m.query(`INSERT INTO svc.applied (message_id, aggregate_id, n) VALUES ($1, $2, $3)`, [msg.envelope.id, msg.envelope.aggregateId, (msg.envelope.payload as { n: number }).n]);
};

describe('relay survives PostgreSQL stopped and restarted mid-run', () => {
  let pg: PrivatePostgres;
  let ds: DataSource;
  const client = createKafka({ brokers: testKafkaBrokers(), clientId: `resilience-pg-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const publisher = new KafkaPublisher(client);
  const topic = randomTopic('pg-restart');

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    ds = await outboxTestDataSource(pg.config);
    await admin.ensureTopics([{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await admin.deleteTopics([topic]).catch(() => undefined);
    await ds?.destroy().catch(() => undefined);
    await pg?.destroy();
  });

  it('publishes every row written before and after the outage: nothing lost', async () => {
    const before = await writeEvents(ds, topic, 400);
    let published = 0;
    const relay = new OutboxRelay(ds, publisher, { schema: 'svc', batchSize: 20, pollIntervalMs: 20, maxBackoffMs: 500, leaseMs: 2_000, metrics: { published: (n) => void (published += n), failed: () => undefined, parked: () => undefined } });
    relay.start();
    await waitFor(() => published >= 60, { what: 'relay under way' });
    await pg.stop();
    const publishedDuringOutage = published;
    await pg.start();
    const after = await writeEvents(ds, topic, 100);
    await waitFor(async () => (await relay.stats().catch(() => ({ pending: -1 }))).pending === 0, { what: 'outbox drained after restart', timeoutMs: 60_000 });
    await relay.stop();
    expect(publishedDuringOutage).toBeLessThan(500);

    const received = new Set<string>();
    const runner = new KafkaConsumerRunner(client, {
      groupId: randomGroup('pg-restart'),
      topics: [topic],
      fromBeginning: true,
      handler: async (messages) => messages.forEach((m) => received.add(m.envelope.id)),
    });
    void runner.start();
    await waitFor(() => received.size >= 500, { what: 'all 500 ids on the topic', timeoutMs: 60_000 });
    await runner.stop();
    expect(received).toEqual(new Set([...before, ...after]));
  });
});

describe('relay and inbox consumer survive the broker stopped and restarted mid-publish', () => {
  let kafka: PrivateKafka;
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    db = await createTestDatabase('broker_restart');
    ds = await outboxTestDataSource(db.config);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    await kafka?.destroy();
  });

  it('applies every event exactly once: nothing lost, nothing applied twice', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: `resilience-kafka-${randomUUID()}` });
    const topic = randomTopic('broker-restart');
    await new TopicAdmin(client).ensureTopics([
      { name: topic, partitions: 3, retentionMs: 3_600_000 },
      { name: deadLetterTopic(topic), partitions: 1, retentionMs: 3_600_000 },
    ]);
    const publisher = new KafkaPublisher(client);
    const ids = await writeEvents(ds, topic, 300);
    let published = 0;
    const relay = new OutboxRelay(ds, publisher, { schema: 'svc', batchSize: 10, pollIntervalMs: 20, maxBackoffMs: 1_000, leaseMs: 5_000, metrics: { published: (n) => void (published += n), failed: () => undefined, parked: () => undefined } });
    const runner = new KafkaConsumerRunner(client, {
      groupId: randomGroup('broker-restart'),
      topics: [topic],
      fromBeginning: true,
      retry: { maxAttempts: 1_000, baseDelayMs: 100, maxDelayMs: 1_000 },
      handler: inboxHandler(ds, new Inbox('svc', 'applier'), applyEffect),
    });
    void runner.start().catch(() => undefined);
    relay.start();
    await waitFor(() => published >= 50, { what: 'relay under way', timeoutMs: 60_000 });
    await kafka.stop();
    const publishedBeforeRestart = published;
    await kafka.start();
    await waitFor(async () => (await relay.stats()).pending === 0, { what: 'outbox drained after broker restart', timeoutMs: 120_000 });
    await waitFor(async () => (await appliedCounts(ds)).size === 300, { what: 'all 300 events applied', timeoutMs: 120_000 });
    await relay.stop();
    await runner.stop();
    await publisher.disconnect();

    expect(publishedBeforeRestart).toBeLessThan(300);
    const counts = await appliedCounts(ds);
    expect(new Set(counts.keys())).toEqual(new Set(ids));
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    expect((await relay.stats()).parked).toBe(0);
  }, 300_000);
});
