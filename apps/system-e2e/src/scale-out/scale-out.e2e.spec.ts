import { completeNip } from '@ksef-bridge/ksef-spec';
import { TOPICS } from '@ksef-bridge/contracts';
import { waitFor } from '@ksef-bridge/testing';
import { PIPELINE_APPS, PipelineSystem, type Collected, type PipelineApp } from '../support/pipeline-system';
import { buildMix, FINAL_STATES, type MixedInvoice } from '../support/invoice-mix';
import { metricSum, overlappingAttempts, type AttemptWindow } from './scale-out-checks';

// Issue #8 (scale-out): two instances of every service at once on 12 partitions behind a balancer (a Kubernetes
// Service in miniature), several hundred invoices over 11 KSeF contexts; mid-load one instance of each service is
// SIGKILLed and a third one starts (consumer-group rebalances, expired sender/poller/notifier leases taken over).
// Nothing may be lost or doubled, each context must have had one sender at a time, and both instances must have
// worked.
//
// Eleven contexts, not three: one sender instance leases up to 8 contexts per round (apps/sender/src/app.module.ts,
// contextsPerRound), so with 8 or fewer busy contexts the first instance would hold them all and the second would only
// ever take over after a death. Batch sessions are off: a batch records all its attempts with one shared window, which
// the per-context overlap check below would misread as concurrent sends.
const CONTEXTS = ['5265877635', ...Array.from({ length: 40 }, (_, i) => completeNip(String(526104082 + i * 7919)))].filter((n): n is string => Boolean(n)).slice(0, 11);
const TOTAL = Number(process.env.SCALE_OUT_E2E_INVOICES ?? 300);
const PARTITIONS = Number(process.env.SCALE_OUT_E2E_PARTITIONS ?? 12);

/** The work counter that shows an instance did its share (consumed, sent, polled, published). */
const WORK_METRIC: Record<PipelineApp, string> = {
  intake: 'ksef_consumer_messages_total',
  validator: 'ksef_consumer_messages_total',
  sender: 'ksef_sender_attempts_total',
  'status-poller': 'ksef_poller_polls_total',
  notifier: 'ksef_notifier_events_published_total',
};

const senderEnv = {
  SENDER_RETRY_DELAYS_MS: '200,500',
  SENDER_RETRY_MULTIPLIER: '2',
  SENDER_RETRY_MAX_DELAY_MS: '3000',
  SENDER_MAX_ATTEMPTS: '30',
  SENDER_POLL_INTERVAL_MS: '100',
  // A killed sender's context leases expire after this, and its contexts move to another instance. Rounds of 10 sends
  // outlast it under load: the scheduler renews the context lease before every send and ends a round whose lease was
  // taken over (this test caught the earlier once-per-round lease with 8 s and 10-send rounds). Only a single send
  // longer than the lease could still overlap, so the lease stays far above one send here.
  SENDER_LEASE_MS: process.env.SCALE_OUT_E2E_SENDER_LEASE_MS ?? '15000',
  SENDER_BATCH_SIZE: process.env.SCALE_OUT_E2E_SENDER_BATCH ?? '10',
  SENDER_BATCH_BACKLOG_THRESHOLD: '0',
  SENDER_BATCH_QUEUE_AGE_MS: '0',
};

async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  }));
}

describe('scale-out: two instances of every service, a SIGKILL and a new instance of each mid-load', () => {
  const system = new PipelineSystem({
    contexts: CONTEXTS,
    balanced: true,
    partitions: PARTITIONS,
    env: {
      sender: senderEnv,
      'status-poller': { POLLER_LEASE_MS: '10000' },
      notifier: { NOTIFIER_LEASE_MS: '5000', NOTIFIER_WEBHOOK_TIMEOUT_MS: '2000' },
    },
  });
  let outcomes: Collected;
  let mix: MixedInvoice[];
  const work = new Map<string, number>();

  beforeAll(async () => {
    await system.start();
    await Promise.all(PIPELINE_APPS.map((app) => system.startApp(app, { instance: 1, readyTimeoutMs: 180_000 })));
    outcomes = await system.collect(TOPICS.invoiceAccepted, TOPICS.invoiceRejected, TOPICS.invoiceEscalated, TOPICS.invoiceInvalid);
    mix = buildMix(TOTAL, CONTEXTS);
  }, 300_000);

  afterAll(() => system.stop(), 120_000);

  const submit = (invoices: readonly MixedInvoice[], viaInstance: (i: number) => number | undefined) =>
    inPool(invoices, 25, (invoice, i) => {
      if (invoice.door === 'kafka') return system.publishErp(invoice.erpDocumentId, invoice.xml);
      const instance = viaInstance(i);
      return system.post(invoice.erpDocumentId, invoice.xml, {}, instance === undefined ? undefined : { instance });
    });

  const workOf = async (app: PipelineApp, instance: number) => metricSum(await system.metrics(app, instance), WORK_METRIC[app]);

  it('shares the work, loses and doubles nothing through a rebalance, and keeps one sender per context at a time', async () => {
    const half = Math.floor(mix.length / 2);
    // First half: the HTTP door through intake 0 and intake 1 in turn (an ERP may reach either).
    await submit(mix.slice(0, half), (i) => i % 2);

    // Both instances of every service have done some of it before any dies (the proof that work is shared).
    await waitFor(
      async () => {
        for (const app of PIPELINE_APPS) for (const instance of [0, 1]) work.set(`${app}#${instance}`, await workOf(app, instance));
        return [...work.values()].every((n) => n > 0) ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, what: `work on both instances of every service (so far: ${JSON.stringify(Object.fromEntries(work))})` },
    );

    // A third instance of every service joins while the first half is still in flight (a rebalance of every group).
    // It starts before any instance dies, as in a rolling update with surge: joining a group whose dead member has not
    // timed out yet would hold the new one's start for the whole session timeout.
    await Promise.all(PIPELINE_APPS.map((app) => system.startApp(app, { instance: 2, readyTimeoutMs: 180_000 })));
    // The second half through the balancer; a third of the way in, instance 0 of every service is SIGKILLed with
    // work in hand (another rebalance, once its group sessions expire; its leases are taken over when they run out).
    const third = half + Math.floor((mix.length - half) / 3);
    await submit(mix.slice(half, third), () => undefined);
    const rest = submit(mix.slice(third), () => undefined);
    for (const app of PIPELINE_APPS) work.set(`${app}#0`, await workOf(app, 0));
    await Promise.all(PIPELINE_APPS.map((app) => system.kill(app, { instance: 0 })));
    await rest;

    const expected = new Map(mix.map((m) => [m.erpDocumentId, m.expectedState]));
    const settled = await waitFor(
      async () => {
        const invoices = await system.invoicesByErpId();
        const pending = [...expected.keys()].filter((id) => !FINAL_STATES.includes(invoices.get(id)?.state ?? ''));
        return pending.length === 0 ? invoices : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 2000, what: 'every invoice in a final state' },
    );
    for (const app of PIPELINE_APPS) for (const instance of [1, 2]) work.set(`${app}#${instance}`, await workOf(app, instance));
    // The per-instance counts, for whoever reads the run (instance 0's as of just before its SIGKILL).
    process.stdout.write(`scale-out work per instance: ${JSON.stringify(Object.fromEntries(work))}\n`);

    const wrong = [...expected].filter(([id, state]) => settled.get(id)?.state !== state).map(([id, state]) => `${id}: expected ${state}, got ${settled.get(id)?.state}`);
    expect(wrong).toEqual([]);
    expect(settled.size).toBe(expected.size);

    // Exactly one outcome event per invoice (delivered at least once; the same event id is the same event).
    const byInvoice = new Map<string, Set<string>>();
    for (const m of outcomes.messages) byInvoice.set(m.envelope.aggregateId, (byInvoice.get(m.envelope.aggregateId) ?? new Set()).add(`${m.envelope.type}:${m.envelope.id}`));
    expect([...byInvoice].filter(([, ids]) => ids.size !== 1).map(([id, ids]) => `${id}: ${[...ids].join(', ')}`)).toEqual([]);
    expect(byInvoice.size).toBe(expected.size);

    // KSeF's own record: every accepted invoice reached it exactly once.
    const copies = await system.ksefCopiesByHash();
    expect([...copies].filter(([, n]) => n !== 1)).toEqual([]);
    const accepted = [...settled.values()].filter((i) => i.state === 'ACCEPTED');
    expect(copies.size).toBe(accepted.length);
    expect(new Set(accepted.map((i) => i.ksef_number)).size).toBe(accepted.length);

    // One sender per context at a time: per context, no two recorded attempts ran at once, across all three senders.
    const attempts = (await system.query(
      `SELECT j.context_nip, a.invoice_id, a.started_at, a.finished_at, a.outcome, a.error_code, a.session_reference_number FROM sender.send_attempts a JOIN sender.send_jobs j USING (invoice_id)`,
    )) as Array<{ context_nip: string; invoice_id: string; started_at: Date; finished_at: Date; outcome: string; error_code: string | null; session_reference_number: string | null }>;
    const windows: AttemptWindow[] = attempts.map((a) => ({ contextNip: a.context_nip, invoiceId: a.invoice_id, startedAt: a.started_at, finishedAt: a.finished_at, detail: `${a.outcome}${a.error_code ? ` ${a.error_code}` : ''} session ${a.session_reference_number}` }));
    expect(attempts.length).toBeGreaterThanOrEqual(accepted.length);
    // (The logs of every instance stay in system.logDir, to see which sender made an attempt named here.)
    expect({ logs: system.logDir, overlaps: overlappingAttempts(windows) }).toEqual({ logs: system.logDir, overlaps: [] });

    // Work was shared: every service's instances 0 and 1 worked while both were up (checked before the SIGKILL), and
    // the consumer groups gave the third instance partitions (and so work) of the second half. (The sender's third
    // instance and the status-poller's take work by lease only when a context or row is free, so they may not.)
    expect([...work].filter(([key, n]) => /#[01]$/.test(key) && n === 0)).toEqual([]);
    expect((['intake', 'validator', 'notifier'] as const).filter((app) => !work.get(`${app}#2`))).toEqual([]);
  }, 600_000);
});
