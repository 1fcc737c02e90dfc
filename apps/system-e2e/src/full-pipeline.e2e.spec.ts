import { loadScenarios, sellerNipsOf, withInvoiceNumberSuffix } from '@ksef-bridge/invoice-scenarios';
import { completeNip } from '@ksef-bridge/ksef-spec';
import { TOPICS } from '@ksef-bridge/contracts';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem, type Collected } from './support/pipeline-system';
import { buildMix, FINAL_STATES, type MixedInvoice } from './support/invoice-mix';

// Issue #5's promise, end to end with real processes: 1,000 mixed invoices (valid, invalid, resubmitted, corrections)
// from both doors reach the right final state exactly once, while the simulator drops answers after processing, fails
// sends with 5xx, throws a 429 storm and fails status reads, and while every service is SIGKILLed and restarted
// mid-run. KSeF (the simulator) confirms that no invoice reached it twice.
const TOTAL = Number(process.env.PIPELINE_E2E_INVOICES ?? 1000);
// Corrections (KOR, KOR_ZAL, KOR_ROZ, a correction of a correction, and broken ones) come from the regression library.
const CORRECTIONS = loadScenarios().filter((s) => s.invoiceType.startsWith('KOR'));
const CONTEXTS = [...new Set(['5265877635', completeNip('526104082')!, completeNip('777000111')!, ...sellerNipsOf(CORRECTIONS)])];

const fastRetries = {
  SENDER_RETRY_DELAYS_MS: '200,500',
  SENDER_RETRY_MULTIPLIER: '2',
  SENDER_RETRY_MAX_DELAY_MS: '3000',
  SENDER_MAX_ATTEMPTS: '30',
  SENDER_POLL_INTERVAL_MS: '100',
  SENDER_BREAKER_OPEN_MS: '1000',
  // A killed sender's leases must expire quickly for its successor to take over within the test.
  SENDER_LEASE_MS: '4000',
};

describe('the whole pipeline: 1,000 mixed invoices under faults and SIGKILLs', () => {
  // The same for a killed status-poller's claims.
  const system = new PipelineSystem({ contexts: CONTEXTS, env: { sender: fastRetries, 'status-poller': { POLLER_LEASE_MS: '4000' } } });
  let outcomes: Collected;
  let notifications: Collected;
  let mix: MixedInvoice[];

  beforeAll(async () => {
    await system.start();
    outcomes = await system.collect(TOPICS.invoiceAccepted, TOPICS.invoiceRejected, TOPICS.invoiceEscalated, TOPICS.invoiceInvalid);
    notifications = await system.collect(TOPICS.notificationInvoiceAccepted, TOPICS.notificationInvoiceRejected, TOPICS.notificationInvoiceEscalated);
    const run = Date.now().toString(36);
    const corrections: MixedInvoice[] = CORRECTIONS.map((c, i) => ({ erpDocumentId: `${c.id}/${run}`, xml: (c.invoiceNumber ? withInvoiceNumberSuffix(c, run) : c.xml).toString('utf8'), door: i % 2 ? 'kafka' : 'http', expectedState: c.expectedFinalState as MixedInvoice['expectedState'], resubmitted: false }));
    expect(corrections.filter((c) => c.expectedState === 'ACCEPTED').length).toBeGreaterThanOrEqual(4);
    mix = [...buildMix(TOTAL - corrections.length, CONTEXTS.slice(0, 3), run), ...corrections];
  }, 300_000);

  afterAll(() => system.stop(), 120_000);

  it('brings every invoice to its right final state exactly once, and KSeF holds no copy twice', async () => {
    await system.simulatorAdmin('faults', { type: 'drop', endpoint: 'POST /v2/sessions/online/:referenceNumber/invoices', probability: 0.03 });
    await system.simulatorAdmin('faults', { type: 'error5xx', endpoint: 'POST /v2/sessions/online/:referenceNumber/invoices', count: 15, statuses: [502, 503] });
    await system.simulatorAdmin('faults', { type: 'rateLimit', retryAfterSeconds: 1, count: 25 });
    await system.simulatorAdmin('faults', { type: 'error5xx', endpoint: 'GET /v2/sessions/:referenceNumber/invoices/:invoiceReferenceNumber', count: 15, statuses: [503] });

    // Every fifth of the way, one service dies without warning and comes back.
    const victims = ['sender', 'status-poller', 'intake', 'validator', 'notifier'] as const;
    const chunk = Math.ceil(mix.length / victims.length);
    for (let i = 0; i < victims.length; i++) {
      const part = mix.slice(i * chunk, (i + 1) * chunk);
      await Promise.all(part.map((invoice) => (invoice.door === 'http' ? system.post(invoice.erpDocumentId, invoice.xml) : system.publishErp(invoice.erpDocumentId, invoice.xml))));
      await system.restart(victims[i]);
    }

    const expected = new Map(mix.map((m) => [m.erpDocumentId, m.expectedState]));
    const settled = await waitFor(
      async () => {
        const invoices = await system.invoicesByErpId();
        const pending = [...expected.keys()].filter((id) => !FINAL_STATES.includes(invoices.get(id)?.state ?? ''));
        return pending.length === 0 ? invoices : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 2000, what: 'every invoice in a final state' },
    );

    // The right final state, and one invoice per ERP document however often it was submitted.
    const wrong = [...expected].filter(([id, state]) => settled.get(id)?.state !== state).map(([id, state]) => `${id}: expected ${state}, got ${settled.get(id)?.state}`);
    expect(wrong).toEqual([]);
    expect(settled.size).toBe(expected.size);

    // Exactly one outcome per invoice (events are delivered at least once; their ids make them exactly once).
    const byInvoice = new Map<string, Set<string>>();
    for (const m of outcomes.messages) {
      const ids = byInvoice.get(m.envelope.aggregateId) ?? new Set<string>();
      ids.add(`${m.envelope.type}:${m.envelope.id}`);
      byInvoice.set(m.envelope.aggregateId, ids);
    }
    const doubled = [...byInvoice].filter(([, ids]) => ids.size !== 1).map(([id, ids]) => `${id}: ${[...ids].join(', ')}`);
    expect(doubled).toEqual([]);
    expect(byInvoice.size).toBe(expected.size);

    // Downstream accounting hears of each outcome once, in the public contract (a local INVALID is a rejection too).
    const published = await waitFor(() => {
      const perInvoice = new Map<string, Set<string>>();
      for (const m of notifications.messages) perInvoice.set(m.envelope.aggregateId, (perInvoice.get(m.envelope.aggregateId) ?? new Set()).add(`${m.envelope.type}:${m.envelope.id}`));
      return perInvoice.size >= expected.size ? perInvoice : undefined;
    }, { timeoutMs: 120_000, what: 'a public outcome event for every invoice' });
    expect([...published].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    const invoiceIds = new Set([...settled.values()].map((i) => i.id));
    expect([...published.keys()].filter((id) => !invoiceIds.has(id))).toEqual([]);

    // KSeF's own record: every accepted invoice reached it exactly once.
    const copies = await system.ksefCopiesByHash();
    const twice = [...copies].filter(([, n]) => n !== 1);
    expect(twice).toEqual([]);
    const accepted = [...settled.values()].filter((i) => i.state === 'ACCEPTED');
    expect(accepted.every((i) => i.ksef_number)).toBe(true);
    expect(new Set(accepted.map((i) => i.ksef_number)).size).toBe(accepted.length);
  }, 900_000);
});
