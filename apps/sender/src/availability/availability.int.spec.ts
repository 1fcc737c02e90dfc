import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, ksefAvailabilityChanged, type KsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, startSimulator, testKafkaBrokers, uniqueSuffix, waitFor, type SimulatorProcess, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { SendJobRepository } from '../send-invoice/send-job.repository';
import { senderAppModule } from '../sender.module';
import type { SenderSettings } from '../sender.settings';

// KSeF availability against the BUILT simulator, real PostgreSQL and Kafka: an injected outage becomes exactly one
// UNAVAILABLE transition (after DEGRADED), its end exactly one AVAILABLE, each as a history row and one event, and
// GET /v1/ksef/availability and the gauge say so; the end of the outage makes the retries it pushed back due at once.
jest.setTimeout(120_000);

describe('KSeF availability (sender)', () => {
  let sim: SimulatorProcess;
  let db: TestDatabase;
  let service: RunningService;
  let dataSource: DataSource;
  let runner: KafkaConsumerRunner;
  const messages: ReceivedMessage[] = [];
  const topic = randomTopic('ksef-availability');
  const brokers = testKafkaBrokers();
  const client = createKafka({ brokers, clientId: 'availability-test' });

  const events = () => messages.map((m) => ksefAvailabilityChanged.parse(m.envelope).payload).filter((p) => p.endpoint === sim.apiBaseUrl);
  const transitions = () => events().map((e: KsefAvailabilityChanged) => `${e.from}->${e.to}`);
  const view = async () => (await (await fetch(`${service.url}/v1/ksef/availability`)).json()) as { endpoint: string; state: string; cause: string | null; history: Array<{ state: string; until: string | null }> };
  const gauge = async () => {
    const line = (await (await fetch(`${service.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`ksef_availability_state{endpoint="${sim.apiBaseUrl}"`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  /** A QUEUED job of an unregistered context (never claimed) whose retry is an hour away. */
  const backedOffJob = async () => {
    const id = randomUUID();
    await withTransaction(dataSource, (m) => new SendJobRepository(platform.schema).enqueue(m, { invoiceId: id, tenantId: 't', erpDocumentId: id, contextNip: '1111111111', form: 'FA(3)', documentSha256: 'a'.repeat(64), documentSize: 10 }));
    await dataSource.query(`UPDATE sender.send_jobs SET next_attempt_at = now() + interval '1 hour', updated_at = clock_timestamp() WHERE invoice_id = $1`, [id]);
    return id;
  };
  const fault = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`admin ${path}: ${res.status}`);
  };

  beforeAll(async () => {
    sim = await startSimulator();
    db = await createTestDatabase('sender');
    const testConfig = { ...config, KAFKA_BROKERS: brokers, PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
    const settings: SenderSettings = {
      schema: platform.schema,
      topics: { invoiceValidated: randomTopic('iv'), invoiceSubmitted: randomTopic('is'), invoiceRejected: randomTopic('ir'), invoiceEscalated: randomTopic('ie') },
      consumerGroupPrefix: `${uniqueSuffix(8)}.`,
      ksef: { baseUrl: sim.apiBaseUrl, rateLimits: 'off', timeoutMs: 5_000 },
      intake: { url: 'http://127.0.0.1:9', timeoutMs: 1_000 },
      internalApi: { token: randomBytes(16).toString('hex'), requireToken: true },
      masterKey: randomBytes(32),
      previousMasterKeys: [],
      retry: { delaysMs: [300], multiplier: 2, maxDelayMs: 2_000, jitter: 0, maxAttempts: 6 },
      scheduler: { pollIntervalMs: 200, batchSize: 20, leaseMs: 30_000, contextsPerRound: 4 },
      sessionMaxInvoices: 10_000,
      sessionIdleCloseMs: 600_000,
      breaker: { failures: 5, openMs: 30_000 },
      batch: { backlogThreshold: 0, queueAgeMs: 0, maxInvoices: 1_000, maxBytes: 50_000_000 },
      availability: { probeIntervalMs: 200, probeTimeoutMs: 2_000, tickMs: 100, degradedAfterMs: 400, confirmMs: 1_500, recoverMs: 800 },
      availabilityTopic: topic,
    };
    service = await bootstrapService({
      serviceName: 'sender',
      module: senderAppModule({ ...platform, config: testConfig }, settings),
      http: { port: 0, host: '127.0.0.1' },
      telemetry: startTelemetry({ serviceName: 'sender-test', enabled: false }),
      signals: [],
      logger: createLogger({ serviceName: 'sender', level: 'warn' }),
    });
    dataSource = service.app.get(DataSource);
    runner = new KafkaConsumerRunner(client, { groupId: randomGroup('availability'), topics: [topic], fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await service?.close();
    await new TopicAdmin(client).deleteTopics([topic, deadLetterTopic(topic)]).catch(() => undefined);
    await db?.drop();
    await sim?.stop();
  });

  it('records an outage once (UNAVAILABLE after DEGRADED) and its end once (AVAILABLE), as history, events, endpoint and gauge', async () => {
    await waitFor(async () => (await view()).state === 'AVAILABLE', { timeoutMs: 20_000, what: 'first observation AVAILABLE' });
    expect(await view()).toMatchObject({ endpoint: sim.apiBaseUrl, cause: 'FIRST_OBSERVATION' });

    // A job backing off since before the outage keeps its time; one pushed back during the outage is due at its end.
    const before = await backedOffJob();
    await fault('faults', { type: 'outage', durationMs: 3_600_000 });
    await waitFor(async () => (await view()).state === 'UNAVAILABLE', { timeoutMs: 20_000, what: 'UNAVAILABLE' });
    // Stays down well past the confirm window: no second UNAVAILABLE (no flapping, no repeat).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await waitFor(async () => transitions().length >= 3, { timeoutMs: 10_000, what: 'three events' });
    expect(transitions()).toEqual(['null->AVAILABLE', 'AVAILABLE->DEGRADED', 'DEGRADED->UNAVAILABLE']);
    const down = events()[2];
    expect(down).toMatchObject({ cause: 'HEALTH_PROBE_FAILED', detail: expect.stringContaining('HTTP 503') });
    // `since` is the first failure, i.e. the start of the DEGRADED period, not the moment it was confirmed.
    expect(down.since).toBe(events()[1].since);
    expect(await gauge()).toBe(2);

    const during = await backedOffJob();
    await fault('faults/reset', {});
    await waitFor(async () => (await view()).state === 'AVAILABLE', { timeoutMs: 20_000, what: 'AVAILABLE again' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await waitFor(async () => transitions().length >= 4, { timeoutMs: 10_000, what: 'four events' });
    expect(transitions()).toEqual(['null->AVAILABLE', 'AVAILABLE->DEGRADED', 'DEGRADED->UNAVAILABLE', 'UNAVAILABLE->AVAILABLE']);
    expect(events()[3].cause).toBe('RECOVERED');
    expect(new Set(events().map((e) => e.transitionId)).size).toBe(4);
    expect(messages.every((m) => m.envelope.tenant === '*')).toBe(true);

    const due = async (id: string) => ((await dataSource.query(`SELECT next_attempt_at <= now() AS due FROM sender.send_jobs WHERE invoice_id = $1`, [id])) as Array<{ due: boolean }>)[0].due;
    expect(await due(during)).toBe(true);
    expect(await due(before)).toBe(false);

    const body = await view();
    expect(body.history.map((h) => [h.state, h.until === null])).toEqual([
      ['AVAILABLE', true],
      ['UNAVAILABLE', false],
      ['DEGRADED', false],
      ['AVAILABLE', false],
    ]);
    expect(await gauge()).toBe(0);
  });

  it('keeps the history append-only: a closed period cannot be changed or deleted', async () => {
    await expect(dataSource.query(`UPDATE sender.ksef_availability SET cause = 'X' WHERE ended_at IS NOT NULL`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM sender.ksef_availability`)).rejects.toThrow(/append-only/);
  });
});
