import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, invoiceValidated, type InvoiceValidated } from '@ksef-bridge/contracts';
import { createKafka, KafkaPublisher, TopicAdmin } from '@ksef-bridge/kafka';
import { PRODUCTION_RATE_LIMITS } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomTopic, startSimulator, testKafkaBrokers, uniqueSuffix, waitFor, type SimulatorProcess, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import { TokenCipher } from '../contexts/token-cipher';
import { KsefSessions } from '../send-invoice/ksef-sessions';
import { senderAppModule } from '../sender.module';
import type { SenderSettings } from '../sender.settings';
import { randomNip, startDocumentServer, type DocumentServer } from '../test/sender-harness';
import type { AvailabilitySettings } from './availability.settings';

// The outage-drain finding (docs/sender.md "Retry, rate limits, circuit breaker"), against the BUILT simulator with
// real PostgreSQL and Kafka: during a KSeF outage every timed half-open probe opened an interactive session, charged
// to the limiter's `onlineSession` budget, so after the outage the sender sat in the limiter for up to an hour.
// Production limits with the hour's `onlineSession` budget compressed to 4 opens (the sender's limiter counts in real
// time), breaker open time 200 ms: the old behaviour spends that budget in about a second of outage.
jest.setTimeout(180_000);

const ONLINE_SESSION_OPENS_PER_HOUR = 4;
const FAST_PROBE: AvailabilitySettings = { probeIntervalMs: 200, probeTimeoutMs: 1_000, tickMs: 100, degradedAfterMs: 400, confirmMs: 1_000, recoverMs: 500 };

interface Sender {
  service: RunningService;
  dataSource: DataSource;
  sessions: KsefSessions;
  register(nip: string, token: string): Promise<void>;
  publish(nip: string): Promise<string>;
  close(): Promise<void>;
}

async function startOutageSender(ksefBaseUrl: string, documents: DocumentServer, availability: AvailabilitySettings): Promise<Sender> {
  const brokers = testKafkaBrokers();
  const db: TestDatabase = await createTestDatabase('sender_outage');
  const masterKey = randomBytes(32);
  const topics = { invoiceValidated: randomTopic('iv'), invoiceSubmitted: randomTopic('is'), invoiceRejected: randomTopic('ir'), invoiceEscalated: randomTopic('ie') };
  const availabilityTopic = randomTopic('ksef-availability');
  const settings: SenderSettings = {
    schema: platform.schema,
    topics,
    consumerGroupPrefix: `${uniqueSuffix(8)}.`,
    ksef: { baseUrl: ksefBaseUrl, rateLimits: 'production', timeoutMs: 5_000, authPollIntervalMs: 50 },
    intake: { url: documents.url, token: documents.token, timeoutMs: 5_000 },
    internalApi: { token: documents.token, requireToken: true },
    masterKey,
    previousMasterKeys: [],
    // Due again 100 ms after each failure, many attempts: only the breaker (and the limiter) hold sends back.
    retry: { delaysMs: [100], multiplier: 1, maxDelayMs: 100, jitter: 0, maxAttempts: 500 },
    scheduler: { pollIntervalMs: 50, batchSize: 20, leaseMs: 30_000, contextsPerRound: 4 },
    sessionMaxInvoices: 10_000,
    sessionIdleCloseMs: 600_000,
    breaker: { failures: 1, openMs: 200 },
    batch: { backlogThreshold: 0, queueAgeMs: 0, maxInvoices: 1_000, maxBytes: 50_000_000 },
    availability,
    availabilityTopic,
  };
  const testConfig = { ...config, KAFKA_BROKERS: brokers, PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
  const service = await bootstrapService({
    serviceName: 'sender',
    module: senderAppModule({ ...platform, config: testConfig }, settings),
    http: { port: 0, host: '127.0.0.1' },
    telemetry: startTelemetry({ serviceName: 'sender-test', enabled: false }),
    signals: [],
    logger: createLogger({ serviceName: 'sender', level: 'error' }),
  });
  const dataSource = service.app.get(DataSource);
  const sessions = service.app.get(KsefSessions);
  sessions.limiter?.setLimits({ onlineSession: { ...PRODUCTION_RATE_LIMITS.onlineSession, perHour: ONLINE_SESSION_OPENS_PER_HOUR } });
  const client = createKafka({ brokers, clientId: 'sender-outage-test' });
  const publisher = new KafkaPublisher(client);
  const cipher = new TokenCipher(masterKey);
  return {
    service,
    dataSource,
    sessions,
    register: (nip, token) => withTransaction(dataSource, (m) => new KsefContextRepository(platform.schema).upsert(m, cipher, { nip, tenantId: 'tenant-a', token })),
    async publish(nip) {
      const invoiceId = randomUUID();
      const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
      const document = { invoiceId, ...documents.put(invoiceId, buildSampleInvoice({ sellerNip: nip, invoiceNumber })) };
      const payload: InvoiceValidated = { invoiceId, erpDocumentId: invoiceNumber, contextNip: nip, form: 'FA(3)', invoiceNumber, invoiceType: 'VAT', issueDate: new Date().toISOString().slice(0, 10), document };
      await publisher.publish(topics.invoiceValidated, newEnvelope({ type: invoiceValidated.type, version: invoiceValidated.version, aggregateId: nip, tenant: 'tenant-a', payload }));
      return invoiceId;
    },
    async close() {
      await service.close();
      await publisher.disconnect();
      const all = [...Object.values(topics), availabilityTopic];
      await new TopicAdmin(client).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
      await db.drop();
    },
  };
}

describe('sender after a long KSeF outage', () => {
  let sim: SimulatorProcess;
  let documents: DocumentServer;
  let sender: Sender | undefined;

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { token: string });
  };
  const attempts = async (invoiceId: string) =>
    (await sender!.dataSource.query(`SELECT outcome FROM sender.send_attempts WHERE invoice_id = $1 ORDER BY id`, [invoiceId])) as Array<{ outcome: string }>;
  const state = async (invoiceId: string) => ((await sender!.dataSource.query(`SELECT state FROM sender.send_jobs WHERE invoice_id = $1`, [invoiceId])) as Array<{ state: string }>)[0]?.state;

  /**
   * A context that logged in while KSeF was up (so a session open is the first call that fails, as in production),
   * an outage long enough for the old behaviour to spend the hour's session opens, one invoice published into it,
   * then KSeF back. Returns the invoice, its attempts during the outage, and how long after KSeF's return it was SENT.
   */
  async function outageThenReturn(outageMs: number): Promise<{ nip: string; invoiceId: string; duringOutage: string[]; sentAfterMs: number }> {
    const nip = randomNip();
    const { token } = (await admin('ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!;
    await sender!.register(nip, token);
    // The sender's own access-token route logs the context's client in (no session is opened).
    const login = await fetch(`${sender!.service.url}/internal/v1/ksef-contexts/${nip}/access-token`, { method: 'POST', headers: { authorization: `Bearer ${documents.token}` } });
    expect(login.status).toBe(200);

    await admin('faults', { type: 'outage', durationMs: 3_600_000 });
    const invoiceId = await sender!.publish(nip);
    await waitFor(async () => (await attempts(invoiceId)).length >= 1, { timeoutMs: 30_000, what: 'the first failed attempt' });
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const duringOutage = (await attempts(invoiceId)).map((a) => a.outcome);
    // Still waiting for KSeF: QUEUED, or SENDING when a timed half-open attempt happens to be in flight right now.
    expect(['QUEUED', 'SENDING']).toContain(await state(invoiceId));

    await admin('faults/reset', {});
    const back = Date.now();
    await waitFor(async () => (await state(invoiceId)) === 'SENT', { timeoutMs: 20_000, what: 'SENT within seconds of KSeF returning (not after the hour window)' });
    return { nip, invoiceId, duringOutage, sentAfterMs: Date.now() - back };
  }

  beforeAll(async () => {
    sim = await startSimulator();
    documents = await startDocumentServer();
  });

  afterEach(async () => {
    await admin('faults/reset', {}).catch(() => undefined);
    await sender?.close();
    sender = undefined;
  });

  afterAll(async () => {
    await documents?.close();
    await sim?.stop();
  });

  it('with the health probe: the open circuit waits for the probe, opens no session into the dead KSeF, and sends within seconds of its return', async () => {
    sender = await startOutageSender(sim.apiBaseUrl, documents, FAST_PROBE);
    const { nip, invoiceId, duringOutage, sentAfterMs } = await outageThenReturn(3_000);
    // The one failure that opened the circuit; 3 s of outage (15 breaker windows) added nothing.
    expect(duringOutage).toEqual(['transport']);
    expect(sentAfterMs).toBeLessThan(10_000);
    expect((await attempts(invoiceId)).map((a) => a.outcome)).toEqual(['transport', 'submitted']);
    // One session open charged: the successful one (the failed open was refunded).
    expect(sender.sessions.limiter?.recordedCalls(`Nip:${nip}`, 'onlineSession')).toBe(1);
  });

  it('without the health probe (timed half-open): failed session opens spend no budget, so the drain is not blocked either', async () => {
    sender = await startOutageSender(sim.apiBaseUrl, documents, { ...FAST_PROBE, probeIntervalMs: 0 });
    const { duringOutage, sentAfterMs } = await outageThenReturn(3_000);
    // More failed opens than the hour allows: charged, they would have blocked the next open for the hour.
    expect(duringOutage.length).toBeGreaterThan(ONLINE_SESSION_OPENS_PER_HOUR);
    expect(new Set(duringOutage)).toEqual(new Set(['transport']));
    expect(sentAfterMs).toBeLessThan(10_000);
  });
});
