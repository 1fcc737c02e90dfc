import { createHash, randomUUID } from 'node:crypto';
import { invoiceRejected, type InvoiceValidated } from '@ksef-bridge/contracts';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { sendDeadline } from '@ksef-bridge/offline-mode';
import { withTransaction } from '@ksef-bridge/persistence';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { platform } from '../config/sender.config';
import { randomNip, startSender, type Collected, type SenderHarness } from '../test/sender-harness';
import { SendJobRepository } from './send-job.repository';

// Offline invoices (issue #7) through the sender into the BUILT simulator, with real Kafka and PostgreSQL: what KSeF
// stored is read back from KSeF (invoice status and metadata: invoicingMode, hashOfCorrectedInvoice), not from our rows.
jest.setTimeout(300_000);

const TENANT = 'tenant-offline';
const THRESHOLD = 4;

interface JobRow {
  invoice_id: string;
  state: string;
  attempts: number;
  offline_mode: string | null;
  hash_of_corrected_invoice: string | null;
  send_deadline: Date | null;
  send_deadline_basis: string | null;
  session_reference_number: string | null;
  invoice_reference_number: string | null;
  invoice_hash: string;
  last_error_code: string | null;
}

describe('offline invoices: the sender against the KSeF simulator', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;
  let rejected: Collected;
  const readers: KsefClient[] = [];
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const today = new Date().toISOString().slice(0, 10);

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { token: string });
  };
  const seedToken = async (nip: string) => (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!.token;
  const job = async (id: string) => ((await sender.dataSource.query(`SELECT * FROM sender.send_jobs WHERE invoice_id = $1`, [id])) as JobRow[])[0];
  const attemptsOf = async (id: string) =>
    (await sender.dataSource.query(`SELECT outcome, http_status, exception_codes, error_body FROM sender.send_attempts WHERE invoice_id = $1 ORDER BY id`, [id])) as Array<{ outcome: string; http_status: number | null; exception_codes: number[] | null; error_body: unknown }>;
  const final = (id: string) => waitFor(async () => { const j = await job(id); return j && ['SENT', 'REJECTED', 'ESCALATED'].includes(j.state) ? j : undefined; }, { timeoutMs: 60_000, what: `job ${id} final` });
  const reader = async (nip: string) => {
    const client = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: await seedToken(nip) }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }), authPollIntervalMs: 50 });
    readers.push(client);
    return client;
  };
  /** KSeF's verdict on one invoice of an interactive session (invoicingMode is shown once processed). */
  const ksefStatus = (client: KsefClient, j: JobRow) =>
    waitFor(async () => { const s = await client.getInvoiceStatus(j.session_reference_number!, j.invoice_reference_number!); return s.status.code >= 200 ? s : undefined; }, { timeoutMs: 30_000, what: 'KSeF verdict' });
  const publish = async (nip: string, o: { xml?: string; number?: string } & Partial<Pick<InvoiceValidated, 'offline' | 'hashOfCorrectedInvoice' | 'issueDate'>> = {}) => {
    const invoiceId = randomUUID();
    const invoiceNumber = o.number ?? `OFF/${invoiceId.slice(0, 8)}`;
    const xml = o.xml ?? buildSampleInvoice({ sellerNip: nip, invoiceNumber });
    await sender.publishValidated({ invoiceId, tenant: TENANT, nip, invoiceNumber, xml, offline: o.offline, hashOfCorrectedInvoice: o.hashOfCorrectedInvoice, issueDate: o.issueDate });
    return { invoiceId, xml };
  };
  const metrics = async () => (await fetch(`${sender.service.url}/metrics`)).text();
  /** The value of `name` whose labels (apart from the registry's default `service`) are exactly `labels` (sorted `k="v"` pairs). */
  const sample = (text: string, name: string, labels: string[] = []) => {
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
      const own = (m[1] ?? '').split(',').filter((l) => l && !l.startsWith('service=')).sort();
      if (own.join(',') === [...labels].sort().join(',')) return Number(m[2]);
    }
    return NaN;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    // Batch sessions from THRESHOLD due invoices of a context (the interactive tests send one invoice at a time).
    sender = await startSender({ ksefBaseUrl: sim.apiBaseUrl, batch: { backlogThreshold: THRESHOLD } });
    rejected = await sender.collect(sender.topics.invoiceRejected);
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await sender?.close();
    await sim?.stop();
  });

  it('an offline invoice gets its legal deadline and goes with offlineMode: true (KSeF stores it as Offline); an online one stays Online', async () => {
    const nip = randomNip();
    await sender.registerContext(nip, TENANT, await seedToken(nip));
    const client = await reader(nip);
    // Issued today: KSeF would not call it offline by its date, only by the flag the sender sends.
    const offline = await publish(nip, { offline: { mode: 'offline24' }, issueDate: today });
    const offlineJob = await final(offline.invoiceId);
    expect(offlineJob).toMatchObject({ state: 'SENT', offline_mode: 'offline24', hash_of_corrected_invoice: null });
    const expected = sendDeadline({ mode: 'offline24', issueDate: today });
    expect(offlineJob.send_deadline?.toISOString()).toBe(expected.kind === 'due' ? expected.dueBy.toISOString() : 'none');
    expect(offlineJob.send_deadline_basis).toContain(`issue date ${today}`);
    const online = await final((await publish(nip, { issueDate: today })).invoiceId);
    expect(online).toMatchObject({ state: 'SENT', offline_mode: null, send_deadline: null });

    const offlineStatus = await ksefStatus(client, offlineJob);
    expect(offlineStatus).toMatchObject({ status: { code: 200 }, invoicingMode: 'Offline' });
    expect((await ksefStatus(client, online)).invoicingMode).toBe('Online');
    const stored = await client.queryInvoiceMetadata({ subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from: startedAt } });
    const byHash = new Map(stored.invoices.map((m) => [m.invoiceHash, m]));
    expect(byHash.get(offlineJob.invoice_hash)?.invoicingMode).toBe('Offline');
    expect(byHash.get(online.invoice_hash)?.invoicingMode).toBe('Online');
  });

  it('a technical correction goes interactively with offlineMode and hashOfCorrectedInvoice; KSeF accepts it, and 21166 / 21167 are final rejections', async () => {
    const nip = randomNip();
    await sender.registerContext(nip, TENANT, await seedToken(nip));
    const client = await reader(nip);
    const number = `TK/${randomUUID().slice(0, 8)}`;
    // The original: offline, rejected by KSeF's processing (unknown currency), after the sender submitted it.
    const badXml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: number }).replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>QQQ</KodWaluty>');
    const original = await final((await publish(nip, { xml: badXml, number, offline: { mode: 'offline24' }, issueDate: today })).invoiceId);
    expect((await ksefStatus(client, original)).status.code).toBe(430);
    const hashOfRejected = createHash('sha256').update(badXml).digest('base64');

    const correction = await final((await publish(nip, { number, offline: { mode: 'offline24' }, issueDate: today, hashOfCorrectedInvoice: hashOfRejected })).invoiceId);
    expect(correction).toMatchObject({ state: 'SENT', hash_of_corrected_invoice: hashOfRejected });
    expect(correction.session_reference_number).toContain('-SO-');
    expect((await ksefStatus(client, correction)).status.code).toBe(200);
    const stored = await client.queryInvoiceMetadata({ subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from: startedAt } });
    expect(stored.invoices.find((m) => m.invoiceHash === correction.invoice_hash)).toMatchObject({ invoicingMode: 'Offline', hashOfCorrectedInvoice: hashOfRejected });

    // A second correction of the same rejected invoice: KSeF 21166. Of the accepted correction: 21167.
    const again = await final((await publish(nip, { number: `${number}b`, offline: { mode: 'offline24' }, issueDate: today, hashOfCorrectedInvoice: hashOfRejected })).invoiceId);
    const ofAccepted = await final((await publish(nip, { number: `${number}c`, offline: { mode: 'offline24' }, issueDate: today, hashOfCorrectedInvoice: correction.invoice_hash })).invoiceId);
    for (const [j, code] of [[again, 21166], [ofAccepted, 21167]] as const) {
      expect(j).toMatchObject({ state: 'REJECTED', attempts: 1, last_error_code: 'KSEF_TECHNICAL_CORRECTION_REFUSED' });
      const attempts = await attemptsOf(j.invoice_id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ outcome: 'rejected', exception_codes: [code] });
      expect(JSON.stringify(attempts[0].error_body)).toContain(String(code));
      await waitFor(() => rejected.of(invoiceRejected.type).some((e) => e.aggregateId === j.invoice_id && invoiceRejected.parse(e).payload.exceptionCodes.includes(code)), { timeoutMs: 30_000, what: `invoice.rejected ${code}` });
    }
  });

  it('a backlog of offline and online invoices goes out in batch sessions that never mix them, the offline package first with offlineMode', async () => {
    const nip = randomNip();
    const offline: string[] = [];
    const online: string[] = [];
    // Queued before the context is registered, so the whole backlog is due in one round.
    for (let i = 0; i < THRESHOLD; i += 1) online.push((await publish(nip, { issueDate: today })).invoiceId);
    for (let i = 0; i < THRESHOLD; i += 1) offline.push((await publish(nip, { offline: { mode: 'offline24' }, issueDate: today })).invoiceId);
    await waitFor(async () => (await Promise.all([...offline, ...online].map(job))).every((j) => j?.state === 'QUEUED'), { timeoutMs: 60_000, what: 'backlog queued' });
    await sender.registerContext(nip, TENANT, await seedToken(nip));
    const jobs = await Promise.all([...offline, ...online].map(final));
    expect(jobs.map((j) => j.state)).toEqual(Array(2 * THRESHOLD).fill('SENT'));
    const sessionOf = (ids: string[]) => new Set(jobs.filter((j) => ids.includes(j.invoice_id)).map((j) => j.session_reference_number));
    const [offlineSession] = [...sessionOf(offline)];
    const [onlineSession] = [...sessionOf(online)];
    expect(sessionOf(offline).size).toBe(1);
    expect(sessionOf(online).size).toBe(1);
    expect(offlineSession).toContain('-SB-');
    expect(onlineSession).toContain('-SB-');
    expect(offlineSession).not.toBe(onlineSession);
    // The offline package (it has deadlines) went first.
    const sentAt = async (ids: string[]) => (await sender.dataSource.query(`SELECT max(finished_at) AS at FROM sender.send_attempts WHERE invoice_id = ANY($1::uuid[]) AND outcome = 'submitted'`, [ids]))[0].at as Date;
    expect((await sentAt(offline)).getTime()).toBeLessThanOrEqual((await sentAt(online)).getTime());

    const client = await reader(nip);
    const modesIn = (session: string) =>
      waitFor(async () => {
        const all: SessionInvoiceStatusResponse[] = [];
        for await (const invoice of client.iterateSessionInvoices(session, { pageSize: 1000 })) all.push(invoice);
        return all.length === THRESHOLD && all.every((s) => s.status.code >= 200) ? new Set(all.map((s) => `${s.status.code} ${s.invoicingMode}`)) : undefined;
      }, { timeoutMs: 60_000, what: `KSeF processed ${session}` });
    expect(await modesIn(offlineSession!)).toEqual(new Set(['200 Offline']));
    expect(await modesIn(onlineSession!)).toEqual(new Set(['200 Online']));
  });

  it('the regulatory gauge counts unsent offline invoices per deadline state; a pending deadline resolves when the observed unavailability ends', async () => {
    const tenant = `tenant-gauge-${randomUUID().slice(0, 6)}`;
    const nip = randomNip(); // never registered: its jobs stay QUEUED (unsent)
    const jobsRepo = new SendJobRepository(platform.schema);
    const enqueue = (mode: 'offline24' | 'total-failure', deadlineInMs: number | null) =>
      withTransaction(sender.dataSource, (m) =>
        jobsRepo.enqueue(m, {
          invoiceId: randomUUID(), tenantId: tenant, erpDocumentId: randomUUID(), contextNip: nip, form: 'FA(3)', documentSha256: 'c'.repeat(64), documentSize: 10,
          offline: { mode, issueDate: today, sendDeadline: deadlineInMs === null ? null : new Date(Date.now() + deadlineInMs), deadlineBasis: 'test' },
        }),
      );
    await enqueue('offline24', 3 * 86_400_000); // on-time
    await enqueue('offline24', 3_600_000); // due-soon (default window: 4 h)
    await enqueue('offline24', 2 * 3_600_000); // due-soon
    await enqueue('offline24', -60_000); // overdue
    await enqueue('total-failure', null); // not-required

    // KSeF unavailable as the sender recorded it (an endpoint of its own, so the live monitor's rows do not interfere).
    const endpoint = `http://outage-${randomUUID().slice(0, 8)}.test/v2`;
    const since = new Date();
    await sender.dataSource.query(
      `INSERT INTO sender.ksef_availability (id, endpoint, state, previous_state, started_at, cause, recorded_by) VALUES ($1, $2, 'UNAVAILABLE', 'DEGRADED', $3, 'HEALTH_PROBE_FAILED', 'test')`,
      [randomUUID(), endpoint, since],
    );
    const pending = await publish(nip, { offline: { mode: 'unavailability' }, issueDate: today });
    await waitFor(async () => (await job(pending.invoiceId))?.state === 'QUEUED', { timeoutMs: 30_000, what: 'pending job queued' });
    expect(await job(pending.invoiceId)).toMatchObject({ offline_mode: 'unavailability', send_deadline: null });
    expect((await job(pending.invoiceId)).send_deadline_basis).toContain('KSeF unavailable as observed by the sender');

    // publish() uses TENANT: count that one through the overall view and the per-tenant line of TENANT.
    let text = '';
    const line = (state: string, t = tenant) => sample(text, 'ksef_sender_offline_invoices', [`tenant="${t}"`, `deadline_state="${state}"`]);
    // A snapshot at most a second old may predate the last enqueue: read until it includes the pending job.
    await waitFor(async () => { text = await metrics(); return line('pending', TENANT) === 1; }, { timeoutMs: 10_000, what: 'the gauge with the pending invoice' });
    expect(['on-time', 'due-soon', 'overdue', 'pending', 'not-required'].map((s) => line(s))).toEqual([1, 2, 1, 0, 1]);
    expect(line('pending', TENANT)).toBe(1);
    expect(sample(text, 'ksef_sender_offline_invoices_due_soon_overall')).toBe(2);
    expect(sample(text, 'ksef_sender_offline_invoices_overdue_overall')).toBe(1);

    // KSeF back: the scheduler computes the deadline from the observed end (next business day after today).
    const ended = new Date();
    await sender.dataSource.query(`UPDATE sender.ksef_availability SET ended_at = $2 WHERE endpoint = $1 AND ended_at IS NULL`, [endpoint, ended]);
    await sender.dataSource.query(
      `INSERT INTO sender.ksef_availability (id, endpoint, state, previous_state, started_at, cause, recorded_by) VALUES ($1, $2, 'AVAILABLE', 'UNAVAILABLE', $3, 'HEALTH_PROBE_OK', 'test')`,
      [randomUUID(), endpoint, ended],
    );
    const resolved = await waitFor(async () => { const j = await job(pending.invoiceId); return j?.send_deadline ? j : undefined; }, { timeoutMs: 30_000, what: 'pending deadline resolved' });
    const expected = sendDeadline({ mode: 'unavailability', unavailabilityEnd: ended });
    expect(resolved.send_deadline?.toISOString()).toBe(expected.kind === 'due' ? expected.dueBy.toISOString() : 'none');
    expect(resolved.send_deadline_basis).toContain('observed by the sender');
    // The gauge reads a snapshot at most a second old: wait for a fresh one rather than racing it.
    await waitFor(async () => { text = await metrics(); return line('pending', TENANT) === 0; }, { timeoutMs: 10_000, what: 'the gauge without the pending invoice' });
  });
});
