import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { bootstrapService, type PlatformOptions, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/notifier.config';
import { notifierAppModule } from '../notifier.module';
import { webhookSecretCipher, type NotifierSettings, type NotifierTopics } from '../notifier.settings';
import { runWebhookCommand, type WebhookCommand } from '../webhooks/webhook-commands';

export interface Collected {
  messages: ReceivedMessage[];
  stop(): Promise<void>;
}

/** What the tests share between notifier instances: one database, one set of topics, one consumer group prefix. */
export interface NotifierWorld {
  db: TestDatabase;
  topics: NotifierTopics;
  groupPrefix: string;
  masterKey: Buffer;
  platform: PlatformOptions;
}

export interface NotifierHarness {
  service: RunningService;
  dataSource: DataSource;
  world: NotifierWorld;
  /** Runs a CLI command the way `node main.js <command> …` does; returns the JSON lines it printed. */
  command(name: WebhookCommand, args: string[]): Promise<Array<Record<string, unknown>>>;
  /** Publishes an internal event (as its producer would) on its input topic. */
  publish(topic: string, envelope: Envelope): Promise<void>;
  collect(topic: string): Promise<Collected>;
  close(): Promise<void>;
}

export async function createWorld(): Promise<NotifierWorld> {
  const db = await createTestDatabase('notifier');
  const topics: NotifierTopics = {
    invoiceAccepted: randomTopic('invoice-accepted'),
    invoiceRejected: randomTopic('invoice-rejected'),
    invoiceEscalated: randomTopic('invoice-escalated'),
    invoiceInvalid: randomTopic('invoice-invalid'),
    invoiceUpoReceived: randomTopic('invoice-upo-received'),
    notificationInvoiceAccepted: randomTopic('n-accepted'),
    notificationInvoiceRejected: randomTopic('n-rejected'),
    notificationInvoiceEscalated: randomTopic('n-escalated'),
    notificationInvoiceUpoAvailable: randomTopic('n-upo'),
    webhookDeadLettered: randomTopic('webhook-dead'),
  };
  const testConfig = { ...config, KAFKA_BROKERS: testKafkaBrokers(), PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
  return { db, topics, groupPrefix: `${uniqueSuffix(8)}.`, masterKey: randomBytes(32), platform: { ...platform, config: testConfig } };
}

export async function startNotifier(world: World, options: { retry?: Partial<NotifierSettings['retry']>; timeoutMs?: number } = {}): Promise<NotifierHarness> {
  const settings: NotifierSettings = {
    schema: platform.schema,
    topics: world.topics,
    consumerGroupPrefix: world.groupPrefix,
    production: false,
    masterKey: world.masterKey,
    previousMasterKeys: [],
    retry: { baseDelayMs: 200, maxDelayMs: 2_000, jitter: 0, maxAttempts: 4, ...options.retry },
    delivery: { timeoutMs: options.timeoutMs ?? 2_000, upoInlineMaxBytes: 65_536 },
    scheduler: { pollIntervalMs: 50, batchSize: 10, leaseMs: 30_000 },
  };
  const service = await bootstrapService({
    serviceName: 'notifier',
    module: notifierAppModule(world.platform, settings),
    http: { port: 0, host: '127.0.0.1' },
    telemetry: startTelemetry({ serviceName: 'notifier-test', enabled: false }),
    signals: [],
    logger: createLogger({ serviceName: 'notifier', level: 'warn' }),
  });
  const client = createKafka({ brokers: world.platform.config.KAFKA_BROKERS, clientId: 'notifier-test' });
  const publisher = new KafkaPublisher(client);
  const collectors: Collected[] = [];
  const cipher = webhookSecretCipher(world.masterKey);
  const logger = createLogger({ serviceName: 'notifier-cli', level: 'warn' });
  return {
    service,
    dataSource: service.app.get(DataSource),
    world,
    async command(name, args) {
      const lines: Array<Record<string, unknown>> = [];
      await runWebhookCommand(name, args, { platform: world.platform, cipher, production: false, logger, print: (line) => lines.push(line) });
      return lines;
    },
    publish: (topic, envelope) => publisher.publish(topic, envelope),
    async collect(topic) {
      const messages: ReceivedMessage[] = [];
      const runner = new KafkaConsumerRunner(client, { groupId: randomGroup('collector'), topics: [topic], fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
      await runner.start();
      const collected = { messages, stop: () => runner.stop() };
      collectors.push(collected);
      return collected;
    },
    async close() {
      await Promise.all(collectors.map((c) => c.stop().catch(() => undefined)));
      await service.close();
      await publisher.disconnect();
    },
  };
}

type World = NotifierWorld;

/** Deletes the world's topics and database (after every instance closed). */
export async function dropWorld(world: NotifierWorld): Promise<void> {
  const all = Object.values(world.topics);
  await new TopicAdmin(createKafka({ brokers: world.platform.config.KAFKA_BROKERS, clientId: 'notifier-test-admin' })).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
  await world.db.drop();
}

/** An internal envelope of `type` for `invoiceId` and `tenant`. */
export function internalEvent<P>(type: string, tenant: string, invoiceId: string, payload: P, id: string = randomUUID()): Envelope<P> {
  return newEnvelope({ id, type, version: 1, aggregateId: invoiceId, tenant, payload });
}
