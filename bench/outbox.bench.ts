// Outbox relay and inbox consumer throughput on this machine, against the real local Kafka and PostgreSQL
// (start them with `bash scripts/stack/infra.sh up`). Run: `bash bench/run.sh outbox` (BENCH_EVENTS=20000 default).
// Writes bench/results/outbox.json. Measures; asserts nothing.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin } from '@ksef-bridge/kafka';
import { Inbox, inboxHandler, newEnvelope, OutboxRelay, OutboxWriter, outboxMigrations } from '@ksef-bridge/outbox';
import { createDataSource, runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, waitFor } from '@ksef-bridge/testing';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const PARTITIONS = 6;

class CreateApplied1732521600002 implements MigrationInterface {
  name = 'CreateApplied1732521600002';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE bench.applied (message_id uuid NOT NULL, n integer NOT NULL)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE bench.applied`);
  }
}

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_outbox');
  const ds = createDataSource({ db: { ...db.config, poolSize: 10 }, schema: 'bench', migrations: [...outboxMigrations('bench'), CreateApplied1732521600002], applicationName: 'bench' });
  await ds.initialize();
  await runMigrations(ds, 'bench');
  const client = createKafka({ brokers: testKafkaBrokers(), clientId: 'bench-outbox' });
  const admin = new TopicAdmin(client);
  const topic = randomTopic('bench');
  await admin.ensureTopics([{ name: topic, partitions: PARTITIONS, retentionMs: 3_600_000 }, { name: `${topic}.dlt`, partitions: 1, retentionMs: 3_600_000 }]);
  const publisher = new KafkaPublisher(client);
  await publisher.connect();

  // 1. Business transactions writing events (500 per transaction, 1,000 aggregates).
  const writer = new OutboxWriter('bench');
  const writeStart = performance.now();
  for (let done = 0; done < EVENTS; done += 500) {
    await withTransaction(ds, (m) =>
      writer.enqueue(m, [...Array(Math.min(500, EVENTS - done))].map((_, i) => ({ topic, envelope: newEnvelope({ type: 'bench.happened', version: 1, aggregateId: `agg-${(done + i) % 1000}`, tenant: 't', payload: { n: done + i } }) }))),
    );
  }
  const writeMs = performance.now() - writeStart;

  // 2. Relay: committed rows to Kafka acks (acks=all, idempotent producer), rows marked sent.
  const relay = new OutboxRelay(ds, publisher, { schema: 'bench', batchSize: 1_000, pollIntervalMs: 10 });
  const relayStart = performance.now();
  relay.start();
  await waitFor(async () => (await relay.stats()).pending === 0, { timeoutMs: 600_000, intervalMs: 50, what: 'relay drained' });
  const relayMs = performance.now() - relayStart;
  await relay.stop();

  // 3. Consumer with inbox: one transaction per Kafka batch (inbox ids + effect rows), offsets committed after.
  let consumed = 0;
  const inbox = inboxHandler(ds, new Inbox('bench', 'bench-consumer'), async (m, message) => {
    await m.query('INSERT INTO bench.applied (message_id, n) VALUES ($1, $2)', [message.envelope.id, (message.envelope.payload as { n: number }).n]);
  });
  const runner = new KafkaConsumerRunner(client, {
    groupId: randomGroup('bench'),
    topics: [topic],
    fromBeginning: true,
    handler: async (messages) => {
      await inbox(messages);
      consumed += messages.length;
    },
  });
  const consumeStart = performance.now();
  void runner.start();
  await waitFor(() => consumed >= EVENTS, { timeoutMs: 600_000, intervalMs: 50, what: 'all consumed' });
  const consumeMs = performance.now() - consumeStart;
  await runner.stop();
  const [{ c }] = await ds.query('SELECT count(DISTINCT message_id)::int AS c FROM bench.applied');

  const result = {
    benchmark: 'outbox',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    events: EVENTS,
    partitions: PARTITIONS,
    outboxWrite: { ms: Math.round(writeMs), eventsPerSecond: Math.round(EVENTS / (writeMs / 1000)), eventsPerTransaction: 500 },
    relay: { ms: Math.round(relayMs), eventsPerSecond: Math.round(EVENTS / (relayMs / 1000)), batchSize: 1_000 },
    consumerWithInbox: { ms: Math.round(consumeMs), eventsPerSecond: Math.round(EVENTS / (consumeMs / 1000)), distinctApplied: c },
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'outbox.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));

  await publisher.disconnect();
  await admin.deleteTopics([topic, `${topic}.dlt`]).catch(() => undefined);
  await ds.destroy();
  await db.drop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
