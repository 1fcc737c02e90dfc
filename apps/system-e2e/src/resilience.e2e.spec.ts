import { Client } from 'pg';
import { TOPICS } from '@ksef-bridge/contracts';
import { completeNip } from '@ksef-bridge/ksef-spec';
import { startPrivatePostgres, waitFor, type PrivatePostgres } from '@ksef-bridge/testing';
import { buildMix, FINAL_STATES, type MixedInvoice } from './support/invoice-mix';
import { PIPELINE_APPS, PipelineSystem, type Collected } from './support/pipeline-system';

// Issue #8's resilience suite: the whole system as processes on a private Kafka and a private PostgreSQL (both get
// restarted here, so they cannot be the shared ones), with the simulator as KSeF. Each scenario submits invoices from
// both doors, disrupts the system in the middle, and then checks: every invoice in its right final state (lost = 0),
// no invoice twice in KSeF and no outcome event twice per invoice (duplicated = 0), and how long it took to recover.
// The summary table is printed at the end.
const CONTEXTS = ['5265877635', completeNip('526104082')!, completeNip('777000111')!];
const PER_SCENARIO = Number(process.env['RESILIENCE_INVOICES'] ?? 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  scenario: string;
  invoices: number;
  lost: number;
  duplicated: number;
  recoverSeconds: number;
}

describe('resilience: every invoice reaches its final state once, whatever breaks', () => {
  let pg: PrivatePostgres;
  let system: PipelineSystem;
  let outcomes: Collected;
  const rows: Row[] = [];

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const admin = new Client(pg.config);
    await admin.connect();
    await admin.query('CREATE DATABASE resilience');
    await admin.end();
    system = new PipelineSystem({
      contexts: CONTEXTS,
      database: { config: { ...pg.config, database: 'resilience' }, drop: async () => undefined },
      env: {
        sender: { SENDER_RETRY_DELAYS_MS: '200,500', SENDER_RETRY_MULTIPLIER: '2', SENDER_RETRY_MAX_DELAY_MS: '3000', SENDER_MAX_ATTEMPTS: '40', SENDER_POLL_INTERVAL_MS: '100', SENDER_BREAKER_OPEN_MS: '1000', SENDER_LEASE_MS: '4000', KSEF_TIMEOUT_MS: '3000' },
        'status-poller': { POLLER_LEASE_MS: '4000', KSEF_TIMEOUT_MS: '3000' },
      },
    });
    await system.start();
    outcomes = await system.collect(TOPICS.invoiceAccepted, TOPICS.invoiceRejected, TOPICS.invoiceEscalated, TOPICS.invoiceInvalid);
  }, 300_000);

  afterAll(async () => {
    const table = ['scenario                                  invoices  lost  duplicated  recovered in', ...rows.map((r) => `${r.scenario.padEnd(42)}${String(r.invoices).padStart(8)}${String(r.lost).padStart(6)}${String(r.duplicated).padStart(12)}  ${r.recoverSeconds.toFixed(1)} s`)].join('\n');
    console.log(`resilience summary\n${table}`);
    await system?.stop();
    await pg?.destroy();
  }, 180_000);

  /** Publishing on the Kafka door while the broker is down fails: an ERP retries, so does this. */
  async function submit(invoice: MixedInvoice): Promise<void> {
    if (invoice.door === 'http') {
      await system.post(invoice.erpDocumentId, invoice.xml);
      return;
    }
    await waitFor(async () => system.publishErp(invoice.erpDocumentId, invoice.xml).then(() => true, () => false), { timeoutMs: 180_000, intervalMs: 500, what: `publish ${invoice.erpDocumentId}` });
  }

  async function scenario(name: string, disrupt: () => Promise<void>): Promise<void> {
    const mix = buildMix(PER_SCENARIO, CONTEXTS, `${name.replace(/\W+/g, '').slice(0, 12)}${Date.now().toString(36)}`);
    const half = Math.floor(mix.length / 2);
    await Promise.all(mix.slice(0, half).map(submit));
    // The disruption's end (broker or database back, faults placed, outage over) is where recovery time starts.
    const disrupted = Promise.resolve().then(disrupt).then(() => Date.now());
    // The other half arrives during the disruption, as an ERP's traffic would.
    await Promise.all(mix.slice(half).map(submit));
    const recoveredFrom = await disrupted;

    const expected = new Map(mix.map((m) => [m.erpDocumentId, m.expectedState]));
    const settled = await waitFor(
      async () => {
        const invoices = await system.invoicesByErpId().catch(() => undefined);
        if (!invoices) return undefined;
        return [...expected.keys()].every((id) => FINAL_STATES.includes(invoices.get(id)?.state ?? '')) ? invoices : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1000, what: `${name}: every invoice in a final state` },
    );
    const recoverSeconds = (Date.now() - recoveredFrom) / 1000;
    const lost = [...expected].filter(([id, state]) => settled.get(id)?.state !== state);
    const ids = new Set([...expected.keys()].map((id) => settled.get(id)?.id));
    const eventsOf = () => {
      const byInvoice = new Map<string, Set<string>>();
      for (const m of outcomes.messages.filter((m) => ids.has(m.envelope.aggregateId))) byInvoice.set(m.envelope.aggregateId, (byInvoice.get(m.envelope.aggregateId) ?? new Set()).add(m.envelope.id));
      return byInvoice;
    };
    // The outcome events reach this test's own consumer a moment after intake recorded them.
    const events = await waitFor(() => (eventsOf().size >= ids.size ? eventsOf() : undefined), { timeoutMs: 60_000, what: `${name}: an outcome event per invoice` }).catch(() => eventsOf());
    const doubledEvents = [...events.values()].filter((e) => e.size > 1).length;
    const doubledInKsef = [...(await system.ksefCopiesByHash()).values()].filter((n) => n > 1).length;
    rows.push({ scenario: name, invoices: expected.size, lost: lost.length, duplicated: doubledEvents + doubledInKsef, recoverSeconds });
    expect({ scenario: name, lost: lost.map(([id, state]) => `${id}: expected ${state}, got ${settled.get(id)?.state}`), doubledEvents, doubledInKsef, missingEvents: ids.size - events.size }).toEqual({ scenario: name, lost: [], doubledEvents: 0, doubledInKsef: 0, missingEvents: 0 });
  }

  it('SIGKILL of every service at random moments under load', async () => {
    await scenario('SIGKILL of each service', async () => {
      for (const app of [...PIPELINE_APPS].sort(() => Math.random() - 0.5)) {
        await sleep(Math.random() * 1500);
        await system.restart(app);
      }
    });
  }, 600_000);

  it('a Kafka broker restart', async () => {
    await scenario('Kafka broker restart', async () => {
      await system.kafka.stop();
      await sleep(5000);
      await system.kafka.start();
    });
  }, 600_000);

  it('a PostgreSQL restart', async () => {
    await scenario('PostgreSQL restart', async () => {
      await pg.stop();
      await sleep(5000);
      await pg.start();
    });
  }, 600_000);

  it("KSeF's faults: 5xx, timeouts, answers dropped after processing, a 429 storm", async () => {
    await scenario('KSeF 5xx, timeouts, drops, 429 storm', async () => {
      for (const endpoint of ['POST /v2/sessions/online/:referenceNumber/invoices', 'POST /v2/sessions/batch', 'GET /v2/sessions/:referenceNumber/invoices']) {
        await system.simulatorAdmin('faults', { type: 'error5xx', endpoint, count: 5, statuses: [502, 503] });
      }
      await system.simulatorAdmin('faults', { type: 'timeout', endpoint: 'POST /v2/sessions/online/:referenceNumber/invoices', count: 3 });
      await system.simulatorAdmin('faults', { type: 'drop', endpoint: 'POST /v2/sessions/online/:referenceNumber/invoices', probability: 0.2 });
      await system.simulatorAdmin('faults', { type: 'rateLimit', retryAfterSeconds: 1, count: 20 });
      await sleep(5000);
    });
    await system.simulatorAdmin('faults/reset', { seed: 7 });
  }, 600_000);

  it('a full KSeF outage', async () => {
    await scenario('KSeF outage (20 s)', async () => {
      await system.simulatorAdmin('faults', { type: 'outage', durationMs: 20_000 });
      await sleep(20_000);
    });
  }, 600_000);
});
