import { randomUUID } from 'node:crypto';
import { invoiceEscalated, invoiceSubmitted } from '@ksef-bridge/contracts';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, createSelfSignedCertificate, type SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { platform } from '../config/sender.config';
import { randomNip, startSender, type Collected, type SenderHarness } from '../test/sender-harness';
import { encodeCredentials } from '../contexts/context-credentials';
import { SendJobRepository } from './send-job.repository';

// invoice.validated → the sender → the BUILT KSeF simulator (its admin API seeds tokens and injects faults), with
// real Kafka and PostgreSQL. "Exactly once" is checked where it matters: in KSeF's own session invoice list.
jest.setTimeout(240_000);

const SEND = 'POST /v2/sessions/online/:referenceNumber/invoices';
const TENANT = 'tenant-a';

interface JobRow {
  state: string;
  attempts: number;
  session_reference_number: string | null;
  invoice_reference_number: string | null;
  invoice_hash: string;
}
interface AttemptRow {
  attempt: number;
  counted: boolean;
  outcome: string;
  http_status: number | null;
  error_code: string | null;
  error_body: unknown;
  exception_codes: number[] | null;
  session_reference_number: string | null;
  invoice_reference_number: string | null;
}

describe('sender against the KSeF simulator', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;
  let submitted: Collected;
  let nip: string;
  let reader: KsefClient;

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { token: string });
  };
  const seedToken = async (forNip: string) => (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: forNip } }))!.token;

  const job = async (invoiceId: string) => ((await sender.dataSource.query(`SELECT * FROM sender.send_jobs WHERE invoice_id = $1`, [invoiceId])) as JobRow[])[0];
  const attempts = async (invoiceId: string) => (await sender.dataSource.query(`SELECT * FROM sender.send_attempts WHERE invoice_id = $1 ORDER BY id`, [invoiceId])) as AttemptRow[];
  /** Every entry KSeF holds for this hash in the session: a second send would show up here (as a 440 duplicate). */
  const entriesInKsef = async (sessionRef: string, invoiceHash: string) => {
    const found: SessionInvoiceStatusResponse[] = [];
    for await (const invoice of reader.iterateSessionInvoices(sessionRef, { pageSize: 1000 })) if (invoice.invoiceHash === invoiceHash) found.push(invoice);
    return found;
  };
  const sendOne = async (contextNip = nip) => {
    const invoiceId = randomUUID();
    const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
    await sender.publishValidated({ invoiceId, tenant: TENANT, nip: contextNip, invoiceNumber, xml: buildSampleInvoice({ sellerNip: contextNip, invoiceNumber }) });
    await waitFor(async () => ['SENT', 'REJECTED', 'ESCALATED'].includes((await job(invoiceId))?.state ?? ''), { timeoutMs: 60_000, what: `job ${invoiceId} final` });
    return invoiceId;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    sender = await startSender({ ksefBaseUrl: sim.apiBaseUrl });
    submitted = await sender.collect(sender.topics.invoiceSubmitted);
    nip = randomNip();
    await sender.registerContext(nip, TENANT, await seedToken(nip));
    reader = new KsefClient({
      baseUrl: sim.apiBaseUrl,
      context: { type: 'Nip', value: nip },
      credentials: { type: 'ksef-token', token: await seedToken(nip) },
      rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }),
      authPollIntervalMs: 50,
    });
  });

  afterAll(async () => {
    await reader?.close();
    await sender?.close();
    await sim?.stop();
  });

  afterEach(async () => {
    await admin('/admin/faults/reset', {});
  });

  it('a context registered with a certificate and key (XAdES) sends like one with a KSeF token', async () => {
    const sealNip = randomNip();
    const seal = createSelfSignedCertificate({ subject: { type: 'seal', nip: sealNip } });
    await sender.registerContext(sealNip, TENANT, encodeCredentials({ kind: 'xades', certificatePem: seal.certificatePem, privateKeyPem: seal.privateKeyPem }));
    const invoiceId = await sendOne(sealNip);
    expect(await job(invoiceId)).toMatchObject({ state: 'SENT', attempts: 1 });
    expect((await attempts(invoiceId)).map((a) => a.outcome)).toEqual(['submitted']);
  });

  it('an invoice.validated becomes one invoice.submitted and one KSeF number', async () => {
    const invoiceId = await sendOne();
    const row = await job(invoiceId);
    expect(row).toMatchObject({ state: 'SENT', attempts: 1 });
    expect(await attempts(invoiceId)).toEqual([expect.objectContaining({ attempt: 1, counted: true, outcome: 'submitted', http_status: 202, invoice_reference_number: row.invoice_reference_number })]);

    await waitFor(() => submitted.of(invoiceSubmitted.type).some((e) => e.aggregateId === invoiceId), { timeoutMs: 30_000, what: 'invoice.submitted' });
    const events = submitted.of(invoiceSubmitted.type).filter((e) => e.aggregateId === invoiceId);
    expect(events).toHaveLength(1);
    const payload = invoiceSubmitted.parse(events[0]).payload;
    expect(payload).toMatchObject({ invoiceId, contextNip: nip, sessionReferenceNumber: row.session_reference_number, invoiceReferenceNumber: row.invoice_reference_number, invoiceHash: row.invoice_hash, reconciled: false, attempt: 1 });
    expect(events[0].tenant).toBe(TENANT);

    const outcome = await reader.waitForInvoiceOutcome(payload.sessionReferenceNumber, payload.invoiceReferenceNumber!, { intervalMs: 200, timeoutMs: 30_000 });
    expect(outcome.kind).toBe('accepted');
    expect(await entriesInKsef(payload.sessionReferenceNumber, payload.invoiceHash)).toHaveLength(1);
    expect(sender.documents.reads.get(invoiceId)).toBe(1);

    const metrics = await (await fetch(`${sender.service.url}/metrics`)).text();
    expect(metrics).toMatch(/ksef_sender_attempts_total\{[^}]*outcome="submitted"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ksef_sender_backlog_invoices\{[^}]*\} 0/);
    // The KSeF call hook: the send itself by templated route (no reference number in the label), and the breaker.
    expect(metrics).toMatch(/ksef_api_calls_total\{route="\/sessions\/online\/\{referenceNumber\}\/invoices",method="POST",status="202"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ksef_api_call_duration_seconds_count\{[^}]*route="\/sessions\/online\/\{referenceNumber\}\/invoices"[^}]*\} [1-9]/);
    expect(metrics).not.toContain(row.session_reference_number!);
    expect(metrics).toMatch(/ksef_sender_circuit_state\{[^}]*\} 0/);
  });

  it('the next invoice of the context goes into the same interactive session', async () => {
    const first = await job(await sendOne());
    const second = await job(await sendOne());
    expect(second.session_reference_number).toBe(first.session_reference_number);
  });

  it('a session closed under the sender (21180) is replaced and the invoice goes into the new one', async () => {
    const first = await job(await sendOne());
    await reader.closeOnlineSession(first.session_reference_number!);
    const invoiceId = await sendOne();
    const row = await job(invoiceId);
    expect(row.state).toBe('SENT');
    expect(row.session_reference_number).not.toBe(first.session_reference_number);
    expect((await attempts(invoiceId)).map((a) => [a.outcome, a.error_code, a.http_status, a.exception_codes])).toEqual([
      ['error', 'KSEF_REQUEST_REJECTED', 400, [21180]],
      ['submitted', null, 202, null],
    ]);
  });

  it('a connection dropped after KSeF accepted the send is reconciled by hash, never sent twice', async () => {
    await admin('/admin/faults', { type: 'drop', endpoint: SEND, count: 1 });
    const invoiceId = await sendOne();
    const row = await job(invoiceId);
    expect(row.state).toBe('SENT');
    const history = await attempts(invoiceId);
    expect(history.map((a) => a.outcome)).toEqual(['ambiguous', 'reconciled']);
    expect(history[0]).toMatchObject({ attempt: 1, counted: true, error_code: 'KSEF_OUTCOME_UNKNOWN', session_reference_number: row.session_reference_number });
    expect(history[1]).toMatchObject({ counted: false, invoice_reference_number: row.invoice_reference_number });

    // KSeF holds exactly one copy: a blind re-send would have added a second entry (a 440 duplicate).
    const entries = await entriesInKsef(row.session_reference_number!, row.invoice_hash);
    expect(entries).toHaveLength(1);
    expect(entries[0].referenceNumber).toBe(row.invoice_reference_number);
    const outcome = await reader.waitForInvoiceOutcome(row.session_reference_number!, row.invoice_reference_number!, { intervalMs: 200, timeoutMs: 30_000 });
    expect(outcome.kind).toBe('accepted');

    await waitFor(() => submitted.of(invoiceSubmitted.type).some((e) => e.aggregateId === invoiceId), { timeoutMs: 30_000, what: 'invoice.submitted' });
    const events = submitted.of(invoiceSubmitted.type).filter((e) => e.aggregateId === invoiceId);
    expect(events).toHaveLength(1);
    expect(invoiceSubmitted.parse(events[0]).payload).toMatchObject({ reconciled: true, attempt: 1 });
  });

  it('5xx answers to a send are ambiguous: reconciliation finds nothing, the invoice is sent again, once', async () => {
    await admin('/admin/faults', { type: 'error5xx', endpoint: SEND, count: 2, statuses: [503] });
    const invoiceId = await sendOne();
    const row = await job(invoiceId);
    expect(row).toMatchObject({ state: 'SENT', attempts: 3 });
    const history = await attempts(invoiceId);
    expect(history.map((a) => a.outcome)).toEqual(['ambiguous', 'not-found', 'ambiguous', 'not-found', 'submitted']);
    expect(history.filter((a) => a.outcome === 'ambiguous').map((a) => a.http_status)).toEqual([503, 503]);
    expect(await entriesInKsef(row.session_reference_number!, row.invoice_hash)).toHaveLength(1);
  });

  it('429 waits for Retry-After and does not burn an attempt', async () => {
    await admin('/admin/faults', { type: 'rateLimit', endpoint: SEND, count: 1, retryAfterSeconds: 1 });
    const invoiceId = await sendOne();
    expect(await job(invoiceId)).toMatchObject({ state: 'SENT', attempts: 1 });
    const history = await attempts(invoiceId);
    expect(history.map((a) => [a.outcome, a.counted, a.http_status])).toEqual([
      ['rate-limited', false, 429],
      ['submitted', true, 202],
    ]);
  });

  it('a send interrupted mid-flight (the owner died, its lease ran out) is reconciled in its session, not repeated', async () => {
    // The previous owner: marked the send in flight, sent the invoice into its session, and died before recording it.
    const invoiceId = randomUUID();
    const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber });
    const ref = sender.documents.put(invoiceId, xml);
    const session = await reader.openOnlineSession();
    const sent = await session.sendInvoice(xml);
    const jobs = new SendJobRepository(platform.schema);
    await sender.dataSource.transaction(async (m) => {
      await jobs.enqueue(m, { invoiceId, tenantId: TENANT, erpDocumentId: invoiceNumber, contextNip: nip, form: 'FA(3)', documentSha256: ref.sha256, documentSize: ref.sizeBytes });
      await m.query(`UPDATE sender.send_jobs SET state = 'SENDING', lease_until = now() - interval '1 second', inflight_session_ref = $2 WHERE invoice_id = $1`, [invoiceId, session.referenceNumber]);
    });
    await waitFor(async () => (await job(invoiceId)).state === 'SENT', { timeoutMs: 60_000, what: 'interrupted job SENT' });
    const row = await job(invoiceId);
    expect(row).toMatchObject({ session_reference_number: session.referenceNumber, invoice_reference_number: sent.referenceNumber });
    const history = await attempts(invoiceId);
    expect(history.map((a) => [a.outcome, a.error_code])).toEqual([
      ['ambiguous', 'SEND_INTERRUPTED'],
      ['reconciled', null],
    ]);
    expect(await entriesInKsef(session.referenceNumber, row.invoice_hash)).toHaveLength(1);
    expect(sender.documents.reads.get(invoiceId)).toBeUndefined();
  });

  it('a KSeF that stays unavailable: every attempt recorded with its status and body, then ESCALATED with an event', async () => {
    const escalated = await sender.collect(sender.topics.invoiceEscalated);
    const other = randomNip();
    await sender.registerContext(other, TENANT, await seedToken(other));
    await admin('/admin/faults', { type: 'outage', durationMs: 600_000 });
    const invoiceId = await sendOne(other);
    expect(await job(invoiceId)).toMatchObject({ state: 'ESCALATED', attempts: 6 });
    const history = await attempts(invoiceId);
    expect(history).toHaveLength(6);
    expect(history.every((a) => a.outcome === 'transport' && a.counted && a.http_status === 503 && a.error_body !== null)).toBe(true);
    await waitFor(() => escalated.of(invoiceEscalated.type).some((e) => e.aggregateId === invoiceId), { timeoutMs: 30_000, what: 'invoice.escalated' });
    const event = invoiceEscalated.parse(escalated.of(invoiceEscalated.type).find((e) => e.aggregateId === invoiceId));
    expect(event.payload).toMatchObject({ code: 'ATTEMPTS_EXHAUSTED', attempts: 6, lastHttpStatus: 503, contextNip: other, actor: 'sender' });
  });

  it('an invoice of another tenant is never sent with this context\'s token: ESCALATED without calling KSeF', async () => {
    const invoiceId = randomUUID();
    const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
    await sender.publishValidated({ invoiceId, tenant: 'tenant-b', nip, invoiceNumber, xml: buildSampleInvoice({ sellerNip: nip, invoiceNumber }) });
    await waitFor(async () => (await job(invoiceId))?.state === 'ESCALATED', { timeoutMs: 60_000, what: 'ESCALATED' });
    expect((await attempts(invoiceId)).map((a) => [a.outcome, a.error_code, a.session_reference_number])).toEqual([['error', 'CONTEXT_TENANT_MISMATCH', null]]);
    expect(sender.documents.reads.get(invoiceId)).toBeUndefined();
  });
});
