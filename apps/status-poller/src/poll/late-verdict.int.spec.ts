import { randomUUID } from 'node:crypto';
import { invoiceAccepted, invoiceEscalated, invoiceProcessing, invoiceRejected, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type OnlineSession } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice, createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { createPollerWorld, randomNip, startPoller, type Collected, type PollerInstance, type PollerWorld } from '../test/poller-harness';
import { startTokenServer, type TokenServer } from '../test/token-server';

// A verdict KSeF gives after the poller escalated KSEF_NO_VERDICT (issue #5 follow-up): the row stays watched at the
// slow cadence (500 ms here, TEST_POLICY) and the verdict, when it comes, is recorded and announced like any other.
// The BUILT simulator holds processing at 150 with its "stuckProcessing" fault; real Kafka and PostgreSQL.
jest.setTimeout(240_000);

const TENANT = 'tenant-late';
const UPO_BY_KSEF_NUMBER = 'GET /v2/sessions/:referenceNumber/invoices/ksef/:ksefNumber/upo';

interface PlanRow {
  state: string;
  polls: number;
  watch_until: Date | null;
  last_error_code: string | null;
  ksef_number: string | null;
}

describe('status-poller: late verdicts of watched escalations (simulator)', () => {
  let sim: SimulatorProcess;
  let tokens: TokenServer;
  let world: PollerWorld;
  let poller: PollerInstance;
  let nip: string;
  let ksef: KsefClient;
  let session: OnlineSession;
  let validator: KsefXmlValidator;
  let accepted: Collected;
  let processing: Collected;
  let rejected: Collected;
  let escalated: Collected;

  const admin = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.origin}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const seedToken = async (forNip: string) => (await admin<{ token: string }>('POST', '/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: forNip } })).token;
  const plan = async (invoiceId: string) => ((await poller.dataSource.query(`SELECT * FROM status_poller.poll_plan WHERE invoice_id = $1`, [invoiceId])) as PlanRow[])[0];
  const inState = (invoiceId: string, state: string) => waitFor(async () => (await plan(invoiceId))?.state === state, { timeoutMs: 60_000, what: `plan ${invoiceId} in ${state}` });

  /** Sends one invoice and publishes its invoice.submitted dated two hours back (past the verdict deadline at once), or now. */
  const submitOverdue = async (xml?: string, overdue = true) => {
    const invoiceId = randomUUID();
    const prepared = session.prepareInvoice(xml ?? buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVL/${invoiceId.slice(0, 8)}` }));
    const sent = await session.sendInvoice(prepared);
    const payload: InvoiceSubmitted = {
      invoiceId,
      erpDocumentId: `ERP-${invoiceId.slice(0, 8)}`,
      contextNip: nip,
      sessionReferenceNumber: session.referenceNumber,
      mode: 'online',
      invoiceReferenceNumber: sent.referenceNumber,
      invoiceHash: prepared.invoiceHash,
      submittedAt: new Date(Date.now() - (overdue ? 2 * 3_600_000 : 0)).toISOString(),
      attempt: 1,
      reconciled: false,
    };
    await world.publish(payload, TENANT);
    return { invoiceId, payload };
  };

  /** Escalated KSEF_NO_VERDICT, watched, and polled a few more times at the slow cadence without a new event. */
  const escalatedAndWatched = async (invoiceId: string) => {
    await inState(invoiceId, 'ESCALATED');
    const row = await plan(invoiceId);
    expect(row.last_error_code).toBe('KSEF_NO_VERDICT');
    expect(row.watch_until).not.toBeNull();
    expect(row.watch_until!.getTime()).toBeGreaterThan(Date.now());
    await waitFor(async () => (await plan(invoiceId)).polls >= 3, { timeoutMs: 30_000, what: 'watch polls while KSeF still says 150' });
    expect((await plan(invoiceId)).state).toBe('ESCALATED');
    expect(escalated.of(invoiceEscalated.type, invoiceId)).toHaveLength(1);
  };

  beforeAll(async () => {
    sim = await startSimulator();
    tokens = await startTokenServer(sim.apiBaseUrl);
    world = await createPollerWorld();
    poller = await startPoller(world, { ksefBaseUrl: sim.apiBaseUrl, tokens });
    [accepted, processing, rejected, escalated] = await Promise.all(
      [world.topics.invoiceAccepted, world.topics.invoiceProcessing, world.topics.invoiceRejected, world.topics.invoiceEscalated].map((t) => world.collect(t)),
    );
    nip = randomNip();
    tokens.register(nip, await seedToken(nip));
    ksef = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: await seedToken(nip) }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }), authPollIntervalMs: 50 });
    session = await ksef.openOnlineSession();
    validator = await createKsefXmlValidator();
  });

  afterAll(async () => {
    validator?.close();
    await ksef?.close();
    await poller?.close();
    await world?.close();
    await tokens?.close();
    await sim?.stop();
  });

  afterEach(async () => {
    await admin('POST', '/admin/faults/reset', {});
  });

  it('KSeF accepts after the escalation: the row goes DONE and exactly one invoice.accepted with a valid UPO goes out', async () => {
    const stuck = await admin<{ id: string }>('POST', '/admin/faults', { type: 'stuckProcessing' });
    const { invoiceId, payload } = await submitOverdue();
    await escalatedAndWatched(invoiceId);
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toEqual([]);

    await admin('DELETE', `/admin/faults/${stuck.id}`);
    await inState(invoiceId, 'DONE');
    await waitFor(() => accepted.of(invoiceAccepted.type, invoiceId).length > 0, { timeoutMs: 30_000, what: 'invoice.accepted' });
    await new Promise((r) => setTimeout(r, 1_500));
    const events = accepted.of(invoiceAccepted.type, invoiceId);
    expect(events).toHaveLength(1);
    const body = invoiceAccepted.parse(events[0]).payload;
    const status = await ksef.getInvoiceStatus(session.referenceNumber, payload.invoiceReferenceNumber!);
    expect(body).toMatchObject({ invoiceId, ksefNumber: status.ksefNumber, upoPending: false, duplicate: false });
    expect(validator.validate('UPO-v4-3', body.upoXml!).valid).toBe(true);
    const row = await plan(invoiceId);
    expect(row).toMatchObject({ state: 'DONE', ksef_number: status.ksefNumber, watch_until: null });
    // Still one escalation, and a watched row never reports "processing" (the escalation already told a person).
    expect(escalated.of(invoiceEscalated.type, invoiceId)).toHaveLength(1);
    expect(processing.of(invoiceProcessing.type, invoiceId)).toEqual([]);
    expect(await poller.metrics()).toMatch(/ksef_poller_outcomes_total\{[^}]*outcome="late-verdict"[^}]*\} [1-9]/);
  });

  it('KSeF rejects after the escalation: the row goes REJECTED with one invoice.rejected at stage processing', async () => {
    const stuck = await admin<{ id: string }>('POST', '/admin/faults', { type: 'stuckProcessing' });
    // The seller is not the context's NIP: KSeF takes it (202) and rejects it in processing (410) once it processes.
    const { invoiceId } = await submitOverdue(buildSampleInvoice({ sellerNip: randomNip(), invoiceNumber: `FVR/${randomUUID().slice(0, 8)}` }));
    await escalatedAndWatched(invoiceId);
    await admin('DELETE', `/admin/faults/${stuck.id}`);
    await inState(invoiceId, 'REJECTED');
    await waitFor(() => rejected.of(invoiceRejected.type, invoiceId).length > 0, { timeoutMs: 30_000, what: 'invoice.rejected' });
    await new Promise((r) => setTimeout(r, 1_000));
    const events = rejected.of(invoiceRejected.type, invoiceId);
    expect(events).toHaveLength(1);
    expect(invoiceRejected.parse(events[0]).payload).toMatchObject({ stage: 'processing', processingCode: 410 });
    expect((await plan(invoiceId)).watch_until).toBeNull();
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toEqual([]);
  });

  it("a duplicate whose original's UPO did not come in time (KSEF_DUPLICATE_DATE_UNKNOWN) is watched: accepted once the UPO comes", async () => {
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVD/${randomUUID().slice(0, 8)}` });
    const original = await submitOverdue(xml, false);
    await inState(original.invoiceId, 'DONE');
    const originalEvent = invoiceAccepted.parse((await waitFor(() => accepted.of(invoiceAccepted.type, original.invoiceId)[0], { timeoutMs: 30_000, what: 'the original accepted' }))).payload;
    // The copy is answered 440; the original's UPO (by KSeF number) fails until the rule goes: past the UPO wait there is no date to announce.
    const upoDown = await admin<{ id: string }>('POST', '/admin/faults', { type: 'error5xx', endpoint: UPO_BY_KSEF_NUMBER, statuses: [503] });
    const copy = await submitOverdue(xml, false);
    await inState(copy.invoiceId, 'ESCALATED');
    expect(await plan(copy.invoiceId)).toMatchObject({ last_error_code: 'KSEF_DUPLICATE_DATE_UNKNOWN', ksef_number: originalEvent.ksefNumber });
    expect((await plan(copy.invoiceId)).watch_until).not.toBeNull();
    await waitFor(async () => (await plan(copy.invoiceId)).polls >= 2, { timeoutMs: 30_000, what: 'watched UPO fetches' });
    expect(accepted.of(invoiceAccepted.type, copy.invoiceId)).toEqual([]);

    await admin('DELETE', `/admin/faults/${upoDown.id}`);
    await inState(copy.invoiceId, 'DONE');
    await waitFor(() => accepted.of(invoiceAccepted.type, copy.invoiceId).length > 0, { timeoutMs: 30_000, what: 'invoice.accepted of the copy' });
    await new Promise((r) => setTimeout(r, 1_000));
    const events = accepted.of(invoiceAccepted.type, copy.invoiceId);
    expect(events).toHaveLength(1);
    expect(invoiceAccepted.parse(events[0]).payload).toMatchObject({ duplicate: true, ksefNumber: originalEvent.ksefNumber, acquisitionDate: originalEvent.acquisitionDate, upoPending: false });
    expect(escalated.of(invoiceEscalated.type, copy.invoiceId)).toHaveLength(1);
  });

  it('once the watch has ended the row is left alone (a person owns it), even if KSeF decides later', async () => {
    const stuck = await admin<{ id: string }>('POST', '/admin/faults', { type: 'stuckProcessing' });
    const { invoiceId } = await submitOverdue();
    await escalatedAndWatched(invoiceId);
    await poller.dataSource.query(`UPDATE status_poller.poll_plan SET watch_until = clock_timestamp() - interval '1 second' WHERE invoice_id = $1`, [invoiceId]);
    const polls = (await plan(invoiceId)).polls;
    await admin('DELETE', `/admin/faults/${stuck.id}`);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await plan(invoiceId)).toMatchObject({ state: 'ESCALATED', polls });
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toEqual([]);
  });
});
