import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { KsefClient, type InvoiceMetadata } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice, completeNip } from '@ksef-bridge/ksef-spec';
import { sendDeadline } from '@ksef-bridge/offline-mode';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem, type InvoiceView } from '../support/pipeline-system';

// Issue #7 end to end with the whole system as processes (private Kafka, PostgreSQL, the built simulator as KSeF):
// KSeF goes down (the simulator's full outage), the ERP issues invoices offline meanwhile on both doors and queues
// ordinary ones; intake shows OFFLINE / QUEUED, the sender's regulatory gauge counts the offline ones by deadline
// state. KSeF comes back: everything drains, KSeF records the offline ones as Offline and received them before the
// online ones (deadline-first claims), each exactly once. Then an offline invoice KSeF refuses at processing (an
// attachment the seller may not send: 415) is REJECTED, its technical correction goes with hashOfCorrectedInvoice and
// is accepted. The gauge ends at zero. What KSeF stored is read from KSeF (metadata query, the simulator's tables).
jest.setTimeout(240_000);

const NIP = completeNip('777000111')!;
const run = Date.now().toString(36);
// P_1 as buildSampleInvoice writes it (UTC today, never after the Warsaw day the validator and deadlines use).
const issueDate = new Date().toISOString().slice(0, 10);
const sha256 = (xml: string, encoding: 'hex' | 'base64') => createHash('sha256').update(xml).digest(encoding);

interface Issued {
  key: string;
  erpDocumentId: string;
  door: 'http' | 'kafka';
  mode: 'offline24' | 'unavailability' | 'online';
  xml: string;
  id?: string;
}

interface JobRow {
  invoice_id: string;
  state: string;
  attempts: number;
  due: boolean;
  offline_mode: string | null;
  send_deadline: Date | null;
  send_deadline_basis: string | null;
  hash_of_corrected_invoice: string | null;
  session_reference_number: string | null;
}

interface KsefRow {
  invoice_hash: string;
  session_reference: string;
  ordinal: number;
  status_code: number;
  invoicing_date: Date;
  invoicing_mode: string;
  hash_of_corrected: string | null;
}

/** The value of `name` whose labels (apart from the registry's `service`) are exactly `labels`; a missing line is 0. */
function sample(text: string, name: string, labels: string[] = []): number {
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    const own = (m[1] ?? '').split(',').filter((l) => l && !l.startsWith('service=')).sort();
    if (own.join(',') === [...labels].sort().join(',')) return Number(m[2]);
  }
  return 0;
}

describe('offline invoices through a KSeF outage, the whole system running', () => {
  const system = new PipelineSystem({
    contexts: [NIP],
    env: {
      sender: {
        // Short backoffs and a fast availability monitor: the outage is seen in seconds, and every job is due again
        // (the breaker, not a backoff, holds it back) before KSeF returns, so the first claim sees the whole backlog.
        SENDER_RETRY_DELAYS_MS: '200,500',
        SENDER_RETRY_MULTIPLIER: '2',
        SENDER_RETRY_MAX_DELAY_MS: '2000',
        SENDER_RETRY_JITTER: '0',
        SENDER_MAX_ATTEMPTS: '40',
        SENDER_POLL_INTERVAL_MS: '100',
        SENDER_BREAKER_OPEN_MS: '1000',
        SENDER_AVAILABILITY_PROBE_INTERVAL_MS: '500',
        SENDER_AVAILABILITY_PROBE_TIMEOUT_MS: '1000',
        SENDER_AVAILABILITY_DEGRADED_AFTER_MS: '500',
        SENDER_AVAILABILITY_CONFIRM_MS: '2000',
        SENDER_AVAILABILITY_RECOVER_MS: '1000',
        KSEF_TIMEOUT_MS: '3000',
      },
    },
  });
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const doc = (n: string, attachment = false) => buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `FV/OFF/${run}/${n}`, issueDate, attachment });
  const issued: Issued[] = [
    // Queued first: the online ones are the OLDEST, so only the deadline order can put the offline ones ahead.
    { key: 'online-http', erpDocumentId: `ON-H-${run}`, door: 'http', mode: 'online', xml: doc('1') },
    { key: 'online-kafka', erpDocumentId: `ON-K-${run}`, door: 'kafka', mode: 'online', xml: doc('2') },
    { key: 'offline24-http', erpDocumentId: `OFF24-H-${run}`, door: 'http', mode: 'offline24', xml: doc('3') },
    { key: 'offline24-kafka', erpDocumentId: `OFF24-K-${run}`, door: 'kafka', mode: 'offline24', xml: doc('4') },
    { key: 'unavailability-http', erpDocumentId: `UNAV-H-${run}`, door: 'http', mode: 'unavailability', xml: doc('5') },
  ];
  // The technical-correction pair: KSeF refuses the attachment (415, the seller may not send attachments), the
  // corrected document leaves it out.
  const rejectedXml = doc('TK', true);
  const correctedXml = doc('TK');
  const summary: string[] = [];
  let reader: KsefClient;
  let outageId = '';

  const availability = async () => (await (await fetch(`${system.urls.sender}/v1/ksef/availability`)).json()) as { state: string; since: string | null };
  const jobs = async () =>
    (await system.query(
      `SELECT invoice_id, state, attempts, next_attempt_at <= clock_timestamp() AS due, offline_mode, send_deadline, send_deadline_basis, hash_of_corrected_invoice, session_reference_number
       FROM sender.send_jobs`,
    )) as JobRow[];
  const gauge = async () => {
    const text = await system.metrics('sender');
    const line = (state: string) => sample(text, 'ksef_sender_offline_invoices', [`tenant="${system.tenant}"`, `deadline_state="${state}"`]);
    return {
      'on-time': line('on-time'), 'due-soon': line('due-soon'), overdue: line('overdue'), pending: line('pending'), 'not-required': line('not-required'),
      dueSoonOverall: sample(text, 'ksef_sender_offline_invoices_due_soon_overall'), overdueOverall: sample(text, 'ksef_sender_offline_invoices_overdue_overall'),
    };
  };
  const ksefRows = async (): Promise<KsefRow[]> => {
    const client = new Client(system.simulator.database.config);
    await client.connect();
    try {
      return (await client.query(`SELECT invoice_hash, session_reference, ordinal, status_code, invoicing_date, invoicing_mode, hash_of_corrected FROM ksef_simulator.invoices ORDER BY invoicing_date, session_reference, ordinal`)).rows as KsefRow[];
    } finally {
      await client.end();
    }
  };
  const ksefMetadata = async (): Promise<Map<string, InvoiceMetadata>> =>
    new Map((await reader.queryInvoiceMetadata({ subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from: startedAt } }, { pageSize: 100 })).invoices.map((m) => [m.invoiceHash, m]));
  const settle = (id: string, states: string[], what: string) =>
    waitFor(async () => { const v = await system.invoice(id); return states.includes(v.state) ? v : undefined; }, { timeoutMs: 120_000, intervalMs: 500, what });

  beforeAll(async () => {
    await system.start();
    const { token } = (await system.simulatorAdmin('ksef-tokens', { contextIdentifier: { type: 'Nip', value: NIP } })) as { token: string };
    reader = new KsefClient({ baseUrl: system.simulator.apiBaseUrl, context: { type: 'Nip', value: NIP }, credentials: { type: 'ksef-token', token }, rateLimiter: false, authPollIntervalMs: 50 });
  }, 300_000);

  afterAll(async () => {
    console.log(`offline outage e2e summary (logs: ${system.logDir})\n${summary.join('\n')}`);
    await reader?.close();
    await system.stop();
  }, 120_000);

  it('during a KSeF outage: offline invoices are OFFLINE with their legal deadlines, online ones QUEUED, the gauge counts them', async () => {
    await waitFor(async () => (await availability()).state === 'AVAILABLE', { timeoutMs: 60_000, what: 'sender sees KSeF AVAILABLE' });
    outageId = ((await system.simulatorAdmin('faults', { type: 'outage' })) as { id: string }).id;
    await waitFor(async () => (await availability()).state === 'UNAVAILABLE', { timeoutMs: 60_000, what: 'sender sees KSeF UNAVAILABLE' });
    const outageSeenAt = Date.now();

    for (const i of issued) {
      const fields = i.mode === 'online' ? {} : { offline: { mode: i.mode } };
      if (i.door === 'http') {
        const res = await system.post(i.erpDocumentId, i.xml, {}, undefined, fields);
        expect({ key: i.key, status: res.status }).toEqual({ key: i.key, status: 201 });
        i.id = res.body.id;
      } else await system.publishErp(i.erpDocumentId, i.xml, undefined, fields);
    }
    const byErp = await waitFor(async () => { const m = await system.invoicesByErpId(); return issued.every((i) => m.has(i.erpDocumentId)) ? m : undefined; }, { timeoutMs: 60_000, what: 'both doors took every invoice' });
    for (const i of issued) i.id = byErp.get(i.erpDocumentId)!.id;

    const views = await Promise.all(issued.map((i) => settle(i.id!, [i.mode === 'online' ? 'QUEUED' : 'OFFLINE'], `${i.key} ${i.mode === 'online' ? 'QUEUED' : 'OFFLINE'}`)));
    expect(views.map((v) => ({ state: v.state, offline: (v as InvoiceView & { offline?: unknown }).offline }))).toEqual(
      issued.map((i) => ({ state: i.mode === 'online' ? 'QUEUED' : 'OFFLINE', offline: i.mode === 'online' ? undefined : { mode: i.mode } })),
    );

    // The sender's jobs: offline24 due by the end of the next business day after P_1; the unavailability one pending
    // (NULL) while the period it counts from, the outage the sender is observing, lasts.
    const rows = await waitFor(async () => { const r = await jobs(); return issued.every((i) => r.some((j) => j.invoice_id === i.id)) ? r : undefined; }, { timeoutMs: 30_000, what: 'a send job per invoice' });
    const job = (key: string) => rows.find((j) => j.invoice_id === issued.find((i) => i.key === key)!.id)!;
    const offline24 = sendDeadline({ mode: 'offline24', issueDate });
    for (const key of ['offline24-http', 'offline24-kafka']) expect(job(key).send_deadline?.toISOString()).toBe(offline24.kind === 'due' ? offline24.dueBy.toISOString() : 'none');
    expect(job('unavailability-http')).toMatchObject({ offline_mode: 'unavailability', send_deadline: null });
    expect(job('online-http')).toMatchObject({ offline_mode: null, send_deadline: null });
    expect(rows.every((j) => j.state === 'QUEUED' || j.state === 'SENDING')).toBe(true);

    const counted = await waitFor(async () => { const g = await gauge(); return g['on-time'] === 2 && g.pending === 1 ? g : undefined; }, { timeoutMs: 30_000, what: 'offline gauge: 2 on-time, 1 pending' });
    expect(counted).toEqual({ 'on-time': 2, 'due-soon': 0, overdue: 0, pending: 1, 'not-required': 0, dueSoonOverall: 0, overdueOverall: 0 });
    summary.push(`outage: UNAVAILABLE seen, 5 invoices issued in ${((Date.now() - outageSeenAt) / 1000).toFixed(1)} s; gauge ${JSON.stringify(counted)}`);
  });

  it('after the outage every invoice reaches KSeF once: offline ones as Offline and before the online ones', async () => {
    // Precondition of the order check (not of the product): every job due and none attempted for a while, i.e. the
    // breaker holds the backlog. Then the first claim after KSeF returns sees all five and sorts by deadline.
    await waitFor(
      async () => {
        const before = await jobs();
        if (!before.every((j) => j.due && j.state === 'QUEUED')) return undefined;
        await new Promise((r) => setTimeout(r, 1_500));
        const after = await jobs();
        return after.every((j) => j.due && j.state === 'QUEUED' && before.find((b) => b.invoice_id === j.invoice_id)?.attempts === j.attempts) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the backlog held by the open breaker, every job due' },
    );
    const attemptsInOutage = (await jobs()).reduce((n, j) => n + j.attempts, 0);
    const endedAt = Date.now();
    const res = await fetch(`${system.simulator.origin}/admin/faults/${outageId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);

    const finals = await Promise.all(issued.map((i) => settle(i.id!, ['ACCEPTED', 'REJECTED', 'ESCALATED', 'INVALID'], `${i.key} final`)));
    const drainSeconds = (Date.now() - endedAt) / 1000;
    expect(finals.map((v) => v.state)).toEqual(issued.map(() => 'ACCEPTED'));
    expect(finals.every((v) => v.ksefNumber)).toBe(true);
    expect((await availability()).state).toBe('AVAILABLE');

    // KSeF's record: the metadata query (invoicingMode as KSeF stored it) and its receive order.
    const metadata = await waitFor(async () => { const m = await ksefMetadata(); return issued.every((i) => m.has(sha256(i.xml, 'base64'))) ? m : undefined; }, { timeoutMs: 30_000, what: 'KSeF metadata of every invoice' });
    expect(issued.map((i) => [i.key, metadata.get(sha256(i.xml, 'base64'))?.invoicingMode])).toEqual(issued.map((i) => [i.key, i.mode === 'online' ? 'Online' : 'Offline']));
    expect(issued.map((i) => metadata.get(sha256(i.xml, 'base64'))?.ksefNumber)).toEqual(finals.map((v) => v.ksefNumber));

    const received = await ksefRows();
    const position = (i: Issued) => received.findIndex((r) => r.invoice_hash === sha256(i.xml, 'base64'));
    const copies = (i: Issued) => received.filter((r) => r.invoice_hash === sha256(i.xml, 'base64')).length;
    expect(issued.map((i) => [i.key, copies(i)])).toEqual(issued.map((i) => [i.key, 1]));
    expect(received).toHaveLength(issued.length);
    // Guaranteed by the design (claimDue: send_deadline NULLS LAST, then age; one context's claimed jobs go one after
    // another): both offline24 invoices, younger than the online ones, reached KSeF first. The unavailability one had
    // no deadline yet when the drain began (pending until the sender records AVAILABLE), so it drains by age with the
    // online ones: its place is not asserted (docs/offline-mode.md "Drain order").
    const [first, second] = ['offline24-http', 'offline24-kafka'].map((k) => position(issued.find((i) => i.key === k)!));
    const online = ['online-http', 'online-kafka'].map((k) => position(issued.find((i) => i.key === k)!));
    expect(Math.max(first, second)).toBeLessThan(Math.min(...online));

    // The unavailability job: sent before or after its deadline was computed from the observed end of the outage.
    const unavailabilityJob = (await jobs()).find((j) => j.invoice_id === issued.find((i) => i.key === 'unavailability-http')!.id)!;
    const availableSince = (await availability()).since!;
    if (unavailabilityJob.send_deadline) {
      const expected = sendDeadline({ mode: 'unavailability', unavailabilityEnd: new Date(availableSince) });
      expect(unavailabilityJob.send_deadline.toISOString()).toBe(expected.kind === 'due' ? expected.dueBy.toISOString() : 'none');
      expect(unavailabilityJob.send_deadline_basis).toContain('observed by the sender');
    }

    summary.push(`drain: ${attemptsInOutage} failed attempts during the outage; all 5 ACCEPTED ${drainSeconds.toFixed(1)} s after KSeF returned`);
    summary.push('KSeF receive order (invoicing_date, session, ordinal):');
    for (const r of received) {
      const i = issued.find((x) => sha256(x.xml, 'base64') === r.invoice_hash);
      summary.push(`  ${r.invoicing_date.toISOString()}  ${r.session_reference} #${r.ordinal}  ${(i?.key ?? '?').padEnd(20)} ${r.invoicing_mode.padEnd(8)} ${r.status_code}`);
    }
    summary.push(`unavailability deadline: ${unavailabilityJob.send_deadline ? `${unavailabilityJob.send_deadline.toISOString()} (${unavailabilityJob.send_deadline_basis})` : 'still pending when it was sent'}`);
  });

  it('a technical correction of an offline invoice KSeF rejected goes with hashOfCorrectedInvoice and is accepted', async () => {
    const original = await system.post(`OFF24-TK-${run}`, rejectedXml, {}, undefined, { offline: { mode: 'offline24' } });
    expect(original.status).toBe(201);
    const rejected = await settle(original.body.id, ['REJECTED', 'ACCEPTED', 'ESCALATED'], 'the attachment invoice rejected by KSeF');
    expect(rejected.state).toBe('REJECTED');
    expect((rejected.history.at(-1)?.details as { processingCode?: number } | undefined)?.processingCode).toBe(415);

    const correction = await system.post(`OFF24-TK-FIX-${run}`, correctedXml, {}, undefined, { technicalCorrectionOf: original.body.id });
    expect(correction.status).toBe(201);
    expect(correction.body).toMatchObject({ technicalCorrectionOf: original.body.id, offline: { mode: 'offline24' } });
    const accepted = await settle(correction.body.id, ['ACCEPTED', 'REJECTED', 'ESCALATED'], 'the correction accepted');
    expect(accepted.state).toBe('ACCEPTED');
    expect(((await system.invoice(original.body.id)) as InvoiceView & { technicalCorrections?: unknown }).technicalCorrections).toEqual([
      { id: correction.body.id, erpDocumentId: `OFF24-TK-FIX-${run}`, state: 'ACCEPTED' },
    ]);

    // The sender sent it interactively with the hash of the exact file KSeF rejected; KSeF stored it with that hash.
    const hashOfRejected = sha256(rejectedXml, 'base64');
    const job = (await jobs()).find((j) => j.invoice_id === correction.body.id)!;
    expect(job).toMatchObject({ state: 'SENT', hash_of_corrected_invoice: hashOfRejected });
    expect(job.session_reference_number).toContain('-SO-');
    const stored = await waitFor(async () => (await ksefMetadata()).get(sha256(correctedXml, 'base64')), { timeoutMs: 30_000, what: 'KSeF metadata of the correction' });
    expect(stored).toMatchObject({ invoicingMode: 'Offline', hashOfCorrectedInvoice: hashOfRejected, ksefNumber: accepted.ksefNumber });
    const rows = await ksefRows();
    expect(rows.filter((r) => r.invoice_hash === hashOfRejected).map((r) => [r.status_code, r.invoicing_mode])).toEqual([[415, 'Offline']]);
    expect(rows.filter((r) => r.invoice_hash === sha256(correctedXml, 'base64')).map((r) => [r.status_code, r.hash_of_corrected])).toEqual([[200, hashOfRejected]]);
    summary.push(`technical correction: ${rejected.state} (KSeF 415) → correction ${accepted.state} ${accepted.ksefNumber}, hashOfCorrectedInvoice ${hashOfRejected}`);
  });

  it('after the drain the gauge is back to zero and KSeF holds every document exactly once', async () => {
    const zero = { 'on-time': 0, 'due-soon': 0, overdue: 0, pending: 0, 'not-required': 0, dueSoonOverall: 0, overdueOverall: 0 };
    expect(await waitFor(async () => { const g = await gauge(); return JSON.stringify(g) === JSON.stringify(zero) ? g : undefined; }, { timeoutMs: 15_000, what: 'offline gauge at zero' })).toEqual(zero);
    const copies = await system.ksefCopiesByHash();
    const documents = [...issued.map((i) => i.xml), rejectedXml, correctedXml].map((xml) => sha256(xml, 'base64'));
    expect(documents.map((h) => copies.get(h))).toEqual(documents.map(() => 1));
    expect(copies.size).toBe(documents.length);
    summary.push(`end: gauge ${JSON.stringify(await gauge())}; KSeF holds ${copies.size} documents, each once`);
  });
});
