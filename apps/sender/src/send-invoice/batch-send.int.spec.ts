import { randomUUID } from 'node:crypto';
import { invoiceSubmitted, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { invoiceOutcome, KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { randomNip, startSender, type Collected, type SenderHarness } from '../test/sender-harness';

// The batch switch against the BUILT simulator with real Kafka and PostgreSQL: a backlog above the threshold goes out
// as ONE batch session; below it the interactive path is used; a close whose answer is lost (or that never reached
// KSeF) is resolved by the session's status, never by sending again. "Exactly once" is checked in KSeF's own list.
jest.setTimeout(300_000);

const TENANT = 'tenant-a';
const CLOSE = 'POST /v2/sessions/batch/:referenceNumber/close';
const THRESHOLD = 5;

interface JobRow {
  invoice_id: string;
  state: string;
  attempts: number;
  session_reference_number: string | null;
  invoice_reference_number: string | null;
  invoice_hash: string;
}

describe('sender batch sessions against the KSeF simulator', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;
  let submitted: Collected;

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { token: string });
  };
  const seedToken = async (nip: string) => (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!.token;
  const jobs = async (ids: string[]) => (await sender.dataSource.query(`SELECT * FROM sender.send_jobs WHERE invoice_id = ANY($1::uuid[]) ORDER BY created_at`, [ids])) as JobRow[];
  const outcomes = async (id: string) => ((await sender.dataSource.query(`SELECT outcome FROM sender.send_attempts WHERE invoice_id = $1 ORDER BY id`, [id])) as Array<{ outcome: string }>).map((r) => r.outcome);
  const eventsOf = (id: string): InvoiceSubmitted[] => submitted.of(invoiceSubmitted.type).filter((e) => e.aggregateId === id).map((e) => invoiceSubmitted.parse(e).payload);
  const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${sender.service.url}/metrics`)).text())?.[1] ?? 0);

  /** A context with `count` invoices waiting QUEUED before it is registered, so the whole backlog is due at once. */
  const backlog = async (count: number) => {
    const nip = randomNip();
    const ids: string[] = [];
    const xmls = new Map<string, string>();
    for (let i = 0; i < count; i += 1) {
      const invoiceId = randomUUID();
      const invoiceNumber = `FB/${invoiceId.slice(0, 8)}`;
      const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber });
      await sender.publishValidated({ invoiceId, tenant: TENANT, nip, invoiceNumber, xml });
      ids.push(invoiceId);
      xmls.set(invoiceId, xml);
    }
    await waitFor(async () => (await jobs(ids)).filter((j) => j.state === 'QUEUED').length === count, { timeoutMs: 60_000, what: `${count} jobs queued` });
    const token = await seedToken(nip);
    const reader = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: await seedToken(nip) }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }), authPollIntervalMs: 50 });
    readers.push(reader);
    return { nip, ids, xmls, reader, register: () => sender.registerContext(nip, TENANT, token) };
  };
  const readers: KsefClient[] = [];
  const allSent = async (ids: string[]) => {
    await waitFor(async () => (await jobs(ids)).every((j) => j.state === 'SENT'), { timeoutMs: 90_000, what: 'every job SENT' });
    await waitFor(() => ids.every((id) => eventsOf(id).length > 0), { timeoutMs: 30_000, what: 'invoice.submitted for every job' });
    return jobs(ids);
  };
  /** KSeF's own view of a processed session: every invoice it holds (a second copy would be a second entry). */
  const ksefList = async (reader: KsefClient, sessionRef: string) => {
    await reader.waitForSessionStatus(sessionRef, { intervalMs: 200, timeoutMs: 60_000 });
    const listed: SessionInvoiceStatusResponse[] = [];
    for await (const invoice of reader.iterateSessionInvoices(sessionRef, { pageSize: 1000 })) listed.push(invoice);
    return listed;
  };
  /** One batch session for all, each invoice in it once and accepted, one invoice.submitted (mode batch) each. */
  const expectOneBatch = async (reader: KsefClient, rows: JobRow[], reconciled: boolean) => {
    const sessions = new Set(rows.map((r) => r.session_reference_number));
    expect(sessions.size).toBe(1);
    const sessionRef = rows[0]!.session_reference_number as string;
    expect(sessionRef).toMatch(/^\d{8}-SB-/);
    for (const row of rows) {
      expect(row.invoice_reference_number).toBeNull();
      const events = eventsOf(row.invoice_id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ mode: 'batch', sessionReferenceNumber: sessionRef, invoiceHash: row.invoice_hash, reconciled, attempt: 1 });
      expect(events[0]!.invoiceReferenceNumber).toBeUndefined();
    }
    const listed = await ksefList(reader, sessionRef);
    expect(listed).toHaveLength(rows.length);
    for (const row of rows) {
      const copies = listed.filter((i) => i.invoiceHash === row.invoice_hash);
      expect(copies).toHaveLength(1);
      expect(invoiceOutcome(copies[0]!).kind).toBe('accepted');
    }
    return sessionRef;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    sender = await startSender({ ksefBaseUrl: sim.apiBaseUrl, batch: { backlogThreshold: THRESHOLD, queueAgeMs: 0, maxInvoices: 50 } });
    submitted = await sender.collect(sender.topics.invoiceSubmitted);
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await sender?.close();
    await sim?.stop();
  });

  afterEach(async () => {
    await admin('/admin/faults/reset', {});
  });

  it('a backlog above the threshold goes out as one batch session, each invoice once, accepted', async () => {
    const closedBefore = await metric(/ksef_sender_batch_sessions_total\{[^}]*outcome="closed"[^}]*\} (\d+)/);
    const { ids, reader, register } = await backlog(THRESHOLD + 3);
    await register();
    const rows = await allSent(ids);
    await expectOneBatch(reader, rows, false);
    for (const id of ids) expect(await outcomes(id)).toEqual(['submitted']);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(await metric(/ksef_sender_batch_sessions_total\{[^}]*outcome="closed"[^}]*\} (\d+)/)).toBe(closedBefore + 1);
    expect(await metric(/ksef_sender_invoices_submitted_total\{[^}]*mode="batch"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(THRESHOLD + 3);
  });

  it('below the threshold the interactive path is used', async () => {
    const { ids, register } = await backlog(THRESHOLD - 2);
    await register();
    const rows = await allSent(ids);
    for (const row of rows) {
      expect(row.session_reference_number).toMatch(/^\d{8}-SO-/);
      expect(row.invoice_reference_number).toBeTruthy();
      expect(eventsOf(row.invoice_id)).toEqual([expect.objectContaining({ mode: 'online', invoiceReferenceNumber: row.invoice_reference_number })]);
    }
  });

  it('a close processed by KSeF whose answer is lost is reconciled by the session status, with no second copy', async () => {
    await admin('/admin/faults', { type: 'drop', endpoint: CLOSE, count: 1 });
    const { ids, reader, register } = await backlog(THRESHOLD);
    await register();
    const rows = await allSent(ids);
    await expectOneBatch(reader, rows, true);
    for (const id of ids) expect(await outcomes(id)).toEqual(['reconciled']);
  });

  it('a close that failed before KSeF acted (5xx) is closed again in the same session, never re-sent', async () => {
    const injected = async () => Number(/ksef_sim_faults_injected_total\{[^}]*type="error5xx"[^}]*\} (\d+)/.exec(await (await fetch(`${sim.origin}/metrics`)).text())?.[1] ?? 0);
    const before = await injected();
    await admin('/admin/faults', { type: 'error5xx', endpoint: CLOSE, count: 1, statuses: [502] });
    const { ids, reader, register } = await backlog(THRESHOLD);
    await register();
    const rows = await allSent(ids);
    expect(await injected()).toBe(before + 1);
    await expectOneBatch(reader, rows, true);
  });

  it('a lost close with an unreadable status: ambiguous attempt, then the job-level reconcile finds the package in KSeF', async () => {
    await admin('/admin/faults', { type: 'drop', endpoint: CLOSE, count: 1 });
    await admin('/admin/faults', { type: 'error5xx', endpoint: 'GET /v2/sessions/:referenceNumber', count: 1, statuses: [503] });
    const { ids, reader, register } = await backlog(THRESHOLD);
    await register();
    const rows = await allSent(ids);
    const sessionRef = rows[0]!.session_reference_number as string;
    for (const row of rows) {
      expect(row.session_reference_number).toBe(sessionRef);
      expect(eventsOf(row.invoice_id)).toEqual([expect.objectContaining({ mode: 'batch', sessionReferenceNumber: sessionRef, reconciled: true })]);
      expect(await outcomes(row.invoice_id)).toEqual(['ambiguous', 'reconciled']);
    }
    const listed = await ksefList(reader, sessionRef);
    expect(listed).toHaveLength(rows.length);
    for (const row of rows) expect(listed.filter((i) => i.invoiceHash === row.invoice_hash)).toHaveLength(1);
  });

  it('a sender that died between recording the package and its close: the next owner closes that session, no re-send', async () => {
    const { ids, xmls, reader, register } = await backlog(THRESHOLD);
    // What the dead sender left behind: the package uploaded into a batch session that was never closed, and every
    // job SENDING with an expired lease and naming that session (the beforeClose commit).
    let sessionRef = '';
    const died = await reader
      .sendBatch(ids.map((id) => ({ fileName: `${id}.xml`, content: xmls.get(id) as string })), {
        beforeClose: async (ref) => {
          sessionRef = ref;
          throw new Error('the sender died here');
        },
      })
      .catch((e: unknown) => e);
    expect((died as Error).message).toBe('the sender died here');
    expect((await reader.getSessionStatus(sessionRef)).status.code).toBe(100);
    await sender.dataSource.query(
      `UPDATE sender.send_jobs SET state = 'SENDING', claim_token = gen_random_uuid(), inflight_session_ref = $2, lease_until = clock_timestamp() - interval '1 second'
       WHERE invoice_id = ANY($1::uuid[])`,
      [ids, sessionRef],
    );
    await register();
    const rows = await allSent(ids);
    for (const row of rows) {
      expect(row.session_reference_number).toBe(sessionRef);
      expect(await outcomes(row.invoice_id)).toEqual(['ambiguous', 'reconciled']);
      expect(eventsOf(row.invoice_id)).toEqual([expect.objectContaining({ mode: 'batch', sessionReferenceNumber: sessionRef, reconciled: true, attempt: 1 })]);
    }
    const listed = await ksefList(reader, sessionRef);
    expect(listed).toHaveLength(ids.length);
    for (const row of rows) {
      const copies = listed.filter((i) => i.invoiceHash === row.invoice_hash);
      expect(copies).toHaveLength(1);
      expect(invoiceOutcome(copies[0]!).kind).toBe('accepted');
    }
  });

  it('a failure before the close (open refused with 5xx) puts the jobs back; the next round sends them in one batch', async () => {
    await admin('/admin/faults', { type: 'error5xx', endpoint: 'POST /v2/sessions/batch', count: 1, statuses: [503] });
    const { ids, reader, register } = await backlog(THRESHOLD);
    await register();
    const rows = await allSent(ids);
    for (const row of rows) {
      expect(await outcomes(row.invoice_id)).toEqual(['transport', 'submitted']);
      expect(row.attempts).toBe(2);
      expect(eventsOf(row.invoice_id)).toEqual([expect.objectContaining({ mode: 'batch', attempt: 2, reconciled: false })]);
    }
    expect(new Set(rows.map((r) => r.session_reference_number)).size).toBe(1);
    const listed = await ksefList(reader, rows[0]!.session_reference_number as string);
    expect(listed).toHaveLength(rows.length);
  });
});
