import { randomInt } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { DataSource } from 'typeorm';
import { deadLetterTopic, invoiceSubmitted, type Envelope, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { completeNip } from '@ksef-bridge/ksef-spec';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/status-poller.config';
import type { PollPolicy } from '../domain/poll-decision';
import { statusPollerAppModule } from '../status-poller.module';
import type { StatusPollerSettings, StatusPollerTopics } from '../status-poller.settings';
import type { TokenServer } from './token-server';

/** Every span the pollers of this test process finish (telemetry on, nothing exported). */
export const finishedSpans = new InMemorySpanExporter();
const telemetry = startTelemetry({ serviceName: 'status-poller-test', enabled: true, testExporter: finishedSpans });

export interface Collected {
  messages: ReceivedMessage[];
  of(type: string, invoiceId?: string): Envelope[];
  stop(): Promise<void>;
}

/** What several poller instances share: one database, the topics, one consumer group. */
export interface PollerWorld {
  db: TestDatabase;
  topics: StatusPollerTopics;
  groupPrefix: string;
  publish(payload: InvoiceSubmitted, tenant: string, traceparent?: string): Promise<void>;
  collect(topic: string): Promise<Collected>;
  close(): Promise<void>;
}

export async function createPollerWorld(): Promise<PollerWorld> {
  const db = await createTestDatabase('status_poller');
  const topics: StatusPollerTopics = {
    invoiceSubmitted: randomTopic('invoice-submitted'),
    invoiceProcessing: randomTopic('invoice-processing'),
    invoiceAccepted: randomTopic('invoice-accepted'),
    invoiceUpoReceived: randomTopic('invoice-upo-received'),
    invoiceRejected: randomTopic('invoice-rejected'),
    invoiceEscalated: randomTopic('invoice-escalated'),
  };
  const client = createKafka({ brokers: testKafkaBrokers(), clientId: 'status-poller-test' });
  const publisher = new KafkaPublisher(client);
  const collectors: Collected[] = [];
  await new TopicAdmin(client).ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 3, retentionMs: 3_600_000 })));
  return {
    db,
    topics,
    groupPrefix: `${uniqueSuffix(8)}.`,
    async publish(payload, tenant, traceparent) {
      await publisher.publish(topics.invoiceSubmitted, newEnvelope({ type: invoiceSubmitted.type, version: invoiceSubmitted.version, aggregateId: payload.invoiceId, tenant, payload, traceparent }));
    },
    async collect(topic) {
      const messages: ReceivedMessage[] = [];
      const runner = new KafkaConsumerRunner(client, { groupId: randomGroup('collector'), topics: [topic], fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
      await runner.start();
      const collected: Collected = {
        messages,
        of: (type, invoiceId) => messages.map((m) => m.envelope).filter((e) => e.type === type && (invoiceId === undefined || e.aggregateId === invoiceId)),
        stop: () => runner.stop(),
      };
      collectors.push(collected);
      return collected;
    },
    async close() {
      await Promise.all(collectors.map((c) => c.stop().catch(() => undefined)));
      await publisher.disconnect();
      const all = Object.values(topics);
      await new TopicAdmin(client).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
      await db.drop();
    },
  };
}

export const TEST_POLICY: PollPolicy = { backoff: { delaysMs: [200, 300, 500, 1_000], jitter: 0.1 }, verdictDeadlineMs: 60_000, upoWaitMs: 1_500, upoLateIntervalMs: 400, escalatedIntervalMs: 500, escalatedWatchMs: 120_000 };

export interface PollerInstance {
  service: RunningService;
  dataSource: DataSource;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** One status-poller instance (the real module, in this process) on the world's database and topics. */
export async function startPoller(world: PollerWorld, o: { ksefBaseUrl: string; tokens: TokenServer; policy?: Partial<PollPolicy>; leaseMs?: number; listMinRows?: number; sessionUpoMinRows?: number }): Promise<PollerInstance> {
  const c = world.db.config;
  const testConfig = { ...config, KAFKA_BROKERS: testKafkaBrokers(), PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGPASSWORD: c.password, PGDATABASE: c.database, DB_POOL_SIZE: 4 };
  const settings: StatusPollerSettings = {
    schema: platform.schema,
    topics: world.topics,
    consumerGroupPrefix: world.groupPrefix,
    ksef: { baseUrl: o.ksefBaseUrl, rateLimits: 'te', timeoutMs: 10_000 },
    sender: { url: o.tokens.url, token: o.tokens.token, timeoutMs: 10_000 },
    policy: { ...TEST_POLICY, ...o.policy },
    scheduler: { intervalMs: 50, batchSize: 100, leaseMs: o.leaseMs ?? 30_000, listMinRows: o.listMinRows ?? 2, parallelSessions: 4, sessionUpoMinRows: o.sessionUpoMinRows },
  };
  const service = await bootstrapService({
    serviceName: 'status-poller',
    module: statusPollerAppModule({ ...platform, config: testConfig }, settings),
    http: { port: 0, host: '127.0.0.1' },
    telemetry,
    signals: [],
    logger: createLogger({ serviceName: 'status-poller', level: 'warn' }),
  });
  return {
    service,
    dataSource: service.app.get(DataSource),
    metrics: async () => (await fetch(`${service.url}/metrics`)).text(),
    close: () => service.close(),
  };
}

/** A random valid NIP (checksum ok), so tests never share a KSeF context. */
export function randomNip(): string {
  for (;;) {
    const nip = completeNip(`${randomInt(1, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`);
    if (nip && !/^\d0{2}/.test(nip)) return nip;
  }
}

/** A W3C traceparent of a fresh trace (what the sender's invoice.submitted would carry). */
export function newTraceparent(): string {
  const hex = (n: number) => Array.from({ length: n }, () => randomInt(0, 16).toString(16)).join('');
  return `00-${hex(32)}-${hex(16)}-01`;
}

export const traceIdOf = (envelope: Envelope): string | undefined => envelope.headers?.['traceparent']?.split('-')[1];
