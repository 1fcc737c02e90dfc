import { DataSource } from 'typeorm';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/intake.config';
import { intakeAppModule } from '../intake.module';
import { httpBodyLimitBytes, type IntakeSettings, type IntakeTopics } from '../intake.settings';
import { TenantRepository } from '../tenants/tenant.repository';

/** A real intake (Nest app, own database, random topics) against the shared Kafka and PostgreSQL. */
export interface IntakeHarness {
  url: string;
  service: RunningService;
  dataSource: DataSource;
  topics: IntakeTopics;
  publisher: KafkaPublisher;
  /** Creates a tenant and returns a fresh API key. */
  tenant(id: string): Promise<string>;
  /** Starts collecting what is published on `topic` (from the beginning). */
  collect(topic: string): Promise<Collected>;
  close(): Promise<void>;
}

export interface Collected {
  messages: ReceivedMessage[];
  of(type: string): Envelope[];
  stop(): Promise<void>;
}

export async function startIntake(options: { internalApiToken?: string; maxDocumentBytes?: number; sender?: IntakeSettings['sender'] } = {}): Promise<IntakeHarness> {
  const brokers = testKafkaBrokers();
  const db: TestDatabase = await createTestDatabase('intake');
  const topics: IntakeTopics = {
    erpInvoiceSubmitted: randomTopic('erp-submitted'),
    intakeRejected: randomTopic('intake-rejected'),
    invoiceReceived: randomTopic('invoice-received'),
    invoiceValidated: randomTopic('invoice-validated'),
    invoiceInvalid: randomTopic('invoice-invalid'),
    invoiceStatusChanged: randomTopic('status-changed'),
    invoiceSubmitted: randomTopic('invoice-submitted'),
    invoiceRejected: randomTopic('invoice-rejected'),
    invoiceEscalated: randomTopic('invoice-escalated'),
    invoiceProcessing: randomTopic('invoice-processing'),
    invoiceAccepted: randomTopic('invoice-accepted'),
    invoiceUpoReceived: randomTopic('invoice-upo-received'),
  };
  const testConfig = {
    ...config,
    KAFKA_BROKERS: brokers,
    PGHOST: db.config.host,
    PGPORT: db.config.port,
    PGUSER: db.config.user,
    PGPASSWORD: db.config.password,
    PGDATABASE: db.config.database,
    DB_POOL_SIZE: 4,
  };
  const maxDocumentBytes = options.maxDocumentBytes ?? 3_000_000;
  const module = intakeAppModule(
    { ...platform, config: testConfig },
    { schema: platform.schema, maxDocumentBytes, internalApiToken: options.internalApiToken, topics, consumerGroupPrefix: `${uniqueSuffix(8)}.`, ...(options.sender ? { sender: options.sender } : {}) },
  );
  const telemetry = startTelemetry({ serviceName: 'intake-test', enabled: false });
  const service = await bootstrapService({
    serviceName: 'intake',
    module,
    http: { port: 0, host: '127.0.0.1' },
    telemetry,
    signals: [],
    logger: createLogger({ serviceName: 'intake', level: 'warn' }),
    // The production limit for this document size, so the tests prove the largest invoices fit through the door.
    bodyLimitBytes: httpBodyLimitBytes(maxDocumentBytes),
  });
  const dataSource = service.app.get(DataSource);
  const client = createKafka({ brokers, clientId: 'intake-test' });
  const publisher = new KafkaPublisher(client);
  const collectors: Collected[] = [];
  const tenants = new TenantRepository(platform.schema);

  return {
    url: service.url,
    service,
    dataSource,
    topics,
    publisher,
    tenant: (id) => withTransaction(dataSource, (m) => tenants.createWithKey(m, id, `Tenant ${id}`)),
    async collect(topic) {
      const messages: ReceivedMessage[] = [];
      const runner = new KafkaConsumerRunner(client, {
        groupId: randomGroup('collector'),
        topics: [topic],
        fromBeginning: true,
        handler: async (batch) => void messages.push(...batch),
      });
      await runner.start();
      const collected: Collected = { messages, of: (type) => messages.map((m) => m.envelope).filter((e) => e.type === type), stop: () => runner.stop() };
      collectors.push(collected);
      return collected;
    },
    async close() {
      await Promise.all(collectors.map((c) => c.stop().catch(() => undefined)));
      await service.close();
      await publisher.disconnect();
      const all = Object.values(topics);
      await new TopicAdmin(client).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
      await db.drop();
    },
  };
}
