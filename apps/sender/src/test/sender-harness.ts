import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { deadLetterTopic, invoiceValidated, type Envelope, type InvoiceValidated } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { completeNip } from '@ksef-bridge/ksef-spec';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import { TokenCipher } from '../contexts/token-cipher';
import { senderAppModule } from '../sender.module';
import type { SenderSettings, SenderTopics } from '../sender.settings';

/**
 * Intake's claim-check door as the sender sees it: `GET /internal/v1/invoices/{id}/document` with a bearer token,
 * serving the exact bytes. A stand-in on purpose: the sender's tests are about the sender, and this path and its
 * auth header are all of intake the sender uses (intake's own tests cover the real controller).
 */
export interface DocumentServer {
  url: string;
  token: string;
  put(invoiceId: string, xml: string): { sha256: string; sizeBytes: number };
  /** Reads per invoice id, to see the sender fetch the claim check. */
  reads: Map<string, number>;
  close(): Promise<void>;
}

export async function startDocumentServer(): Promise<DocumentServer> {
  const token = randomBytes(24).toString('hex');
  const documents = new Map<string, Buffer>();
  const reads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const match = /^\/internal\/v1\/invoices\/([^/]+)\/document$/.exec(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    const doc = match ? documents.get(decodeURIComponent(match[1])) : undefined;
    if (!match || !doc) return void res.writeHead(404).end();
    reads.set(match[1], (reads.get(match[1]) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/xml', 'x-content-sha256': createHash('sha256').update(doc).digest('hex') }).end(doc);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    reads,
    put(invoiceId, xml) {
      const bytes = Buffer.from(xml, 'utf8');
      documents.set(invoiceId, bytes);
      return { sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Collected {
  messages: ReceivedMessage[];
  of(type: string): Envelope[];
  stop(): Promise<void>;
}

export interface SenderHarness {
  service: RunningService;
  dataSource: DataSource;
  topics: SenderTopics;
  documents: DocumentServer;
  /** The cipher the running sender seals secrets with, and its master key (rotation tests). */
  cipher: TokenCipher;
  masterKey: Buffer;
  /** Stores a context's KSeF token the way `register-context` does. */
  registerContext(nip: string, tenant: string, token: string): Promise<void>;
  /** Publishes invoice.validated for `xml` (stored in the document server first); offline fields as the contract has them. */
  publishValidated(input: { invoiceId: string; tenant: string; nip: string; invoiceNumber: string; xml: string } & Partial<Pick<InvoiceValidated, 'offline' | 'hashOfCorrectedInvoice' | 'issueDate'>>): Promise<void>;
  collect(topic: string): Promise<Collected>;
  close(): Promise<void>;
}

export async function startSender(options: { ksefBaseUrl: string; internalApi?: SenderSettings['internalApi']; retry?: Partial<SenderSettings['retry']>; breaker?: SenderSettings['breaker']; sessionIdleCloseMs?: number; batch?: Partial<SenderSettings['batch']>; offlineWarnBeforeMs?: number; availability?: SenderSettings['availability'] }): Promise<SenderHarness> {
  const brokers = testKafkaBrokers();
  const db: TestDatabase = await createTestDatabase('sender');
  const documents = await startDocumentServer();
  const topics: SenderTopics = {
    invoiceValidated: randomTopic('invoice-validated'),
    invoiceSubmitted: randomTopic('invoice-submitted'),
    invoiceRejected: randomTopic('invoice-rejected'),
    invoiceEscalated: randomTopic('invoice-escalated'),
  };
  const masterKey = randomBytes(32);
  const testConfig = { ...config, KAFKA_BROKERS: brokers, PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
  const settings: SenderSettings = {
    schema: platform.schema,
    topics,
    consumerGroupPrefix: `${uniqueSuffix(8)}.`,
    ksef: { baseUrl: options.ksefBaseUrl, rateLimits: 'te', timeoutMs: 10_000, authPollIntervalMs: 50 },
    intake: { url: documents.url, token: documents.token, timeoutMs: 5_000 },
    internalApi: options.internalApi ?? { token: documents.token, requireToken: true },
    masterKey,
    previousMasterKeys: [],
    retry: { delaysMs: [300], multiplier: 2, maxDelayMs: 2_000, jitter: 0, maxAttempts: 6, ...options.retry },
    scheduler: { pollIntervalMs: 100, batchSize: 20, leaseMs: 30_000, contextsPerRound: 4 },
    sessionMaxInvoices: 10_000,
    sessionIdleCloseMs: options.sessionIdleCloseMs ?? 600_000,
    breaker: options.breaker ?? { failures: 50, openMs: 1_000 },
    // Off unless a test asks: the interactive tests must stay interactive whatever their backlog or retries.
    batch: { backlogThreshold: 0, queueAgeMs: 0, maxInvoices: 1_000, maxBytes: 50_000_000, ...options.batch },
    ...(options.offlineWarnBeforeMs !== undefined ? { offlineWarnBeforeMs: options.offlineWarnBeforeMs } : {}),
    ...(options.availability ? { availability: options.availability } : {}),
  };
  const service = await bootstrapService({
    serviceName: 'sender',
    module: senderAppModule({ ...platform, config: testConfig }, settings),
    http: { port: 0, host: '127.0.0.1' },
    telemetry: startTelemetry({ serviceName: 'sender-test', enabled: false }),
    signals: [],
    logger: createLogger({ serviceName: 'sender', level: 'warn' }),
  });
  const dataSource = service.app.get(DataSource);
  const client = createKafka({ brokers, clientId: 'sender-test' });
  const publisher = new KafkaPublisher(client);
  const collectors: Collected[] = [];
  const cipher = new TokenCipher(masterKey);

  return {
    service,
    dataSource,
    topics,
    documents,
    cipher,
    masterKey,
    registerContext: (nip, tenant, token) => withTransaction(dataSource, (m) => new KsefContextRepository(platform.schema).upsert(m, cipher, { nip, tenantId: tenant, token })),
    async publishValidated({ invoiceId, tenant, nip, invoiceNumber, xml, offline, hashOfCorrectedInvoice, issueDate }) {
      const document = { invoiceId, ...documents.put(invoiceId, xml) };
      const payload: InvoiceValidated = {
        invoiceId, erpDocumentId: invoiceNumber, contextNip: nip, form: 'FA(3)', invoiceNumber, invoiceType: 'VAT', issueDate: issueDate ?? new Date().toISOString().slice(0, 10), document,
        ...(offline ? { offline } : {}),
        ...(hashOfCorrectedInvoice ? { hashOfCorrectedInvoice } : {}),
      };
      await publisher.publish(topics.invoiceValidated, newEnvelope({ type: invoiceValidated.type, version: invoiceValidated.version, aggregateId: nip, tenant, payload }));
    },
    async collect(topic) {
      const messages: ReceivedMessage[] = [];
      const runner = new KafkaConsumerRunner(client, { groupId: randomGroup('collector'), topics: [topic], fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
      await runner.start();
      const collected: Collected = { messages, of: (type) => messages.map((m) => m.envelope).filter((e) => e.type === type), stop: () => runner.stop() };
      collectors.push(collected);
      return collected;
    },
    async close() {
      await Promise.all(collectors.map((c) => c.stop().catch(() => undefined)));
      await service.close();
      await publisher.disconnect();
      await documents.close();
      const all = Object.values(topics);
      await new TopicAdmin(client).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
      await db.drop();
    },
  };
}

/** A random valid NIP (checksum ok), so tests never share a KSeF context. */
export function randomNip(): string {
  for (;;) {
    const nip = completeNip(`${randomInt(1, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`);
    if (nip && !/^\d0{2}/.test(nip)) return nip;
  }
}
