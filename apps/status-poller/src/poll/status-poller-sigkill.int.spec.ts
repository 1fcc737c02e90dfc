import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { invoiceAccepted, invoiceSubmitted, TOPICS, type Envelope, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin } from '@ksef-bridge/kafka';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type OnlineSession } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import { createTestDatabase, freePort, randomGroup, spawnLogged, startPrivateKafka, startSimulator, stopProcess, waitFor, workspaceRoot, type PrivateKafka, type SimulatorProcess, type TestDatabase } from '@ksef-bridge/testing';
import { randomNip } from '../test/poller-harness';
import { startTokenServer, type TokenServer } from '../test/token-server';

// The BUILT status-poller as a process, SIGKILLed mid-consume and mid-poll and started again: every submitted invoice
// ends DONE with one result row and one invoice.accepted (one envelope id; the relay may repeat an envelope after a
// kill, consumers drop it by id). Its own Kafka broker, because the built app speaks on the production topic names.
jest.setTimeout(300_000);

const INVOICES = 24;

describe('status-poller process under SIGKILL', () => {
  let kafka: PrivateKafka;
  let sim: SimulatorProcess;
  let tokens: TokenServer;
  let db: TestDatabase;
  let pg: Client;
  let client: ReturnType<typeof createKafka>;
  let publisher: KafkaPublisher;
  let collector: KafkaConsumerRunner;
  const accepted: Envelope[] = [];
  let child: ChildProcess | undefined;
  let port: number;
  const logDir = mkdtempSync(join(tmpdir(), 'status-poller-kill-'));
  let nip: string;
  let ksef: KsefClient;
  let session: OnlineSession;

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as { id: string; token: string };
  };
  const start = async () => {
    const c = db.config;
    child = spawnLogged(process.execPath, ['--enable-source-maps', join(workspaceRoot(), 'dist/apps/status-poller/main.js')], join(logDir, 'status-poller.log'), {
      env: {
        ...process.env,
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        KAFKA_BROKERS: kafka.brokers.join(','),
        PGHOST: c.host,
        PGPORT: String(c.port),
        PGUSER: c.user,
        PGPASSWORD: c.password,
        PGDATABASE: c.database,
        KSEF_BASE_URL: sim.apiBaseUrl,
        KSEF_RATE_LIMITS: 'te',
        SENDER_URL: tokens.url,
        INTERNAL_API_TOKEN: tokens.token,
        POLLER_BACKOFF_MS: '200,300,500',
        POLLER_INTERVAL_MS: '50',
        POLLER_LEASE_MS: '3000',
        POLLER_BATCH_SIZE: '8',
        LOG_LEVEL: 'warn',
        OTEL_ENABLED: 'false',
      },
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, what: `status-poller ready (log: ${logDir})` });
  };
  const kill = async () => {
    await stopProcess(child, 'SIGKILL');
    child = undefined;
  };
  const count = async (sql: string) => Number((await pg.query(sql)).rows[0].n);
  const submit = async () => {
    const invoiceId = randomUUID();
    const prepared = session.prepareInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVK/${invoiceId.slice(0, 8)}` }));
    const sent = await session.sendInvoice(prepared);
    const payload: InvoiceSubmitted = { invoiceId, erpDocumentId: invoiceId, contextNip: nip, sessionReferenceNumber: session.referenceNumber, mode: 'online', invoiceReferenceNumber: sent.referenceNumber, invoiceHash: prepared.invoiceHash, submittedAt: new Date().toISOString(), attempt: 1, reconciled: false };
    await publisher.publish(TOPICS.invoiceSubmitted, newEnvelope({ type: invoiceSubmitted.type, version: invoiceSubmitted.version, aggregateId: invoiceId, tenant: 't', payload }));
    return invoiceId;
  };

  beforeAll(async () => {
    const build = spawnSync('npx', ['nx', 'build', 'status-poller', '--outputStyle=static'], { cwd: workspaceRoot(), env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' }, encoding: 'utf8', timeout: 600_000 });
    if (build.status !== 0) throw new Error(`nx build status-poller failed:\n${build.stdout}\n${build.stderr}`);
    [kafka, sim, db, port] = await Promise.all([startPrivateKafka(), startSimulator(), createTestDatabase('status_poller_kill'), freePort()]);
    tokens = await startTokenServer(sim.apiBaseUrl);
    pg = new Client({ host: db.config.host, port: db.config.port, user: db.config.user, password: db.config.password, database: db.config.database });
    await pg.connect();
    client = createKafka({ brokers: kafka.brokers, clientId: 'status-poller-kill-test' });
    await new TopicAdmin(client).ensureTopics([TOPICS.invoiceSubmitted, TOPICS.invoiceAccepted].map((name) => ({ name, partitions: 3, retentionMs: 3_600_000 })));
    publisher = new KafkaPublisher(client);
    collector = new KafkaConsumerRunner(client, { groupId: randomGroup('accepted'), topics: [TOPICS.invoiceAccepted], fromBeginning: true, handler: async (batch) => void accepted.push(...batch.map((m) => m.envelope)) });
    await collector.start();
    nip = randomNip();
    tokens.register(nip, (await admin('POST', '/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } })).token);
    ksef = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: (await admin('POST', '/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } })).token }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }), authPollIntervalMs: 50 });
    session = await ksef.openOnlineSession();
  });

  afterAll(async () => {
    await kill();
    await collector?.stop().catch(() => undefined);
    await publisher?.disconnect().catch(() => undefined);
    await ksef?.close();
    await pg?.end();
    await tokens?.close();
    await sim?.stop();
    await db?.drop();
    await kafka?.destroy();
  });

  it('loses and doubles nothing across SIGKILLs while consuming and while polling', async () => {
    await start();
    const stuck = await admin('POST', '/admin/faults', { type: 'stuckProcessing' });
    const ids: string[] = [];
    for (let i = 0; i < INVOICES / 2; i += 1) ids.push(await submit());
    // Killed while the first half is being consumed (some rows in, some offsets not yet committed).
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM status_poller.poll_plan`)) > 0, { timeoutMs: 60_000, what: 'first plan rows' });
    await kill();
    await start();
    for (let i = 0; i < INVOICES / 2; i += 1) ids.push(await submit());
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM status_poller.poll_plan`)) === INVOICES, { timeoutMs: 60_000, what: 'every plan row' });

    // Verdicts released: killed while rows are claimed, polled and recorded.
    await admin('DELETE', `/admin/faults/${stuck.id}`);
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM status_poller.poll_plan WHERE state = 'DONE'`)) >= 3, { timeoutMs: 60_000, what: 'first DONE rows' });
    await kill();
    await start();

    await waitFor(async () => (await count(`SELECT count(*) AS n FROM status_poller.poll_plan WHERE state = 'DONE'`)) === INVOICES, { timeoutMs: 120_000, what: 'every invoice DONE' });
    expect(await count(`SELECT count(*) AS n FROM status_poller.accepted_invoices WHERE upo_xml IS NOT NULL`)).toBe(INVOICES);
    await waitFor(() => new Set(accepted.map((e) => e.aggregateId)).size === INVOICES, { timeoutMs: 60_000, what: 'an invoice.accepted per invoice' });
    await new Promise((r) => setTimeout(r, 2_000));
    for (const id of ids) {
      const envelopeIds = new Set(accepted.filter((e) => e.aggregateId === id && e.type === invoiceAccepted.type).map((e) => e.id));
      expect(envelopeIds.size).toBe(1);
    }
    expect(new Set(accepted.map((e) => e.aggregateId))).toEqual(new Set(ids));
  });
});
