import { randomUUID } from 'node:crypto';
import { invoiceAccepted, invoiceEscalated, invoiceProcessing, invoiceRejected, invoiceUpoReceived, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type OnlineSession } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice, createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { createPollerWorld, finishedSpans, newTraceparent, randomNip, startPoller, traceIdOf, type Collected, type PollerInstance, type PollerWorld } from '../test/poller-harness';
import { startTokenServer, type TokenServer } from '../test/token-server';

// invoice.submitted → the status-poller → the BUILT KSeF simulator, with real Kafka and PostgreSQL. The invoices are
// really sent to the simulator by this test (online and batch), as the sender would, and their submissions published.
jest.setTimeout(240_000);

const TENANT = 'tenant-a';
const INVOICE_STATUS = 'GET /v2/sessions/:referenceNumber/invoices/:invoiceReferenceNumber';
const SESSION_LIST = 'GET /v2/sessions/:referenceNumber/invoices';
const UPO_BY_KSEF_NUMBER = 'GET /v2/sessions/:referenceNumber/invoices/ksef/:ksefNumber/upo';

interface PlanRow {
  state: string;
  polls: number;
  processing_emitted: boolean;
  ksef_number: string | null;
  invoice_reference_number: string | null;
  last_error_code: string | null;
}
interface ResultRow {
  ksef_number: string;
  acquisition_date: Date;
  duplicate: boolean;
  upo_xml: string | null;
  upo_sha256: string | null;
}

describe('status-poller against the KSeF simulator', () => {
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
  let upoReceived: Collected;

  const admin = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.origin}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const fault = (f: Record<string, unknown>) => admin<{ id: string }>('POST', '/admin/faults', f);
  const seedToken = async (forNip: string) => (await admin<{ token: string }>('POST', '/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: forNip } })).token;
  const plan = async (invoiceId: string) => ((await poller.dataSource.query(`SELECT * FROM status_poller.poll_plan WHERE invoice_id = $1`, [invoiceId])) as PlanRow[])[0];
  const result = async (invoiceId: string) => ((await poller.dataSource.query(`SELECT * FROM status_poller.accepted_invoices WHERE invoice_id = $1`, [invoiceId])) as ResultRow[])[0];

  /** Sends one invoice in the test's interactive session and publishes its invoice.submitted, as the sender would. */
  const submitOnline = async (o: { xml?: string; traceparent?: string; submittedAt?: Date } = {}) => {
    const invoiceId = randomUUID();
    const xml = o.xml ?? buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FV/${invoiceId.slice(0, 8)}` });
    const prepared = session.prepareInvoice(xml);
    const sent = await session.sendInvoice(prepared);
    const payload: InvoiceSubmitted = {
      invoiceId,
      erpDocumentId: `ERP-${invoiceId.slice(0, 8)}`,
      contextNip: nip,
      sessionReferenceNumber: session.referenceNumber,
      mode: 'online',
      invoiceReferenceNumber: sent.referenceNumber,
      invoiceHash: prepared.invoiceHash,
      submittedAt: (o.submittedAt ?? new Date()).toISOString(),
      attempt: 1,
      reconciled: false,
    };
    await world.publish(payload, TENANT, o.traceparent);
    return { invoiceId, payload };
  };
  const finalState = (invoiceId: string, states = ['DONE', 'REJECTED', 'ESCALATED']) =>
    waitFor(async () => states.includes((await plan(invoiceId))?.state ?? ''), { timeoutMs: 60_000, what: `plan ${invoiceId} in ${states.join('/')}` });
  const oneEvent = async (c: Collected, type: string, invoiceId: string) => {
    await waitFor(() => c.of(type, invoiceId).length > 0, { timeoutMs: 30_000, what: `${type} for ${invoiceId}` });
    return c.of(type, invoiceId);
  };

  beforeAll(async () => {
    sim = await startSimulator();
    tokens = await startTokenServer(sim.apiBaseUrl);
    world = await createPollerWorld();
    poller = await startPoller(world, { ksefBaseUrl: sim.apiBaseUrl, tokens });
    [accepted, processing, rejected, escalated, upoReceived] = await Promise.all(
      [world.topics.invoiceAccepted, world.topics.invoiceProcessing, world.topics.invoiceRejected, world.topics.invoiceEscalated, world.topics.invoiceUpoReceived].map((t) => world.collect(t)),
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

  it('an online invoice ends with exactly one invoice.accepted carrying a schema-valid UPO, in the invoice trace', async () => {
    // Processing held at 150 first: the poller reports PROCESSING once, however often it polls.
    const stuck = await fault({ type: 'stuckProcessing' });
    const traceparent = newTraceparent();
    const { invoiceId, payload } = await submitOnline({ traceparent });
    await oneEvent(processing, invoiceProcessing.type, invoiceId);
    await waitFor(async () => (await plan(invoiceId)).polls >= 3, { timeoutMs: 30_000, what: 'several polls at 150' });
    await admin('DELETE', `/admin/faults/${stuck.id}`);
    await finalState(invoiceId);

    const [event, ...more] = await oneEvent(accepted, invoiceAccepted.type, invoiceId);
    expect(more).toEqual([]);
    const body = invoiceAccepted.parse(event).payload;
    const status = await ksef.getInvoiceStatus(session.referenceNumber, payload.invoiceReferenceNumber!);
    expect(body).toMatchObject({ invoiceId, ksefNumber: status.ksefNumber, duplicate: false, upoPending: false, invoiceReferenceNumber: payload.invoiceReferenceNumber, sessionReferenceNumber: session.referenceNumber, invoiceHash: payload.invoiceHash });
    expect(validator.validate('UPO-v4-3', body.upoXml!).valid).toBe(true);
    expect(body.upoXml).toContain(`<NumerKSeFDokumentu>${status.ksefNumber}</NumerKSeFDokumentu>`);

    const stored = await result(invoiceId);
    expect(stored).toMatchObject({ ksef_number: status.ksefNumber, duplicate: false, upo_xml: body.upoXml });
    expect(stored.acquisition_date.toISOString()).toBe(body.acquisitionDate);
    expect(stored.upo_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(processing.of(invoiceProcessing.type, invoiceId)).toHaveLength(1);
    expect(invoiceProcessing.parse(processing.of(invoiceProcessing.type, invoiceId)[0]).payload.statusCode).toBe(150);
    // The invoice's trace continues through the poller (its spans and its events).
    expect(traceIdOf(event)).toBe(traceparent.split('-')[1]);
    expect(traceIdOf(processing.of(invoiceProcessing.type, invoiceId)[0])).toBe(traceparent.split('-')[1]);
    const inTrace = finishedSpans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceparent.split('-')[1]);
    expect(inTrace.filter((s) => s.name === 'status-poller resolve invoice').length).toBeGreaterThanOrEqual(4);
    expect(inTrace.every((s) => s.parentSpanContext?.traceId === traceparent.split('-')[1])).toBe(true);
    // The KSeF calls themselves (undici spans) are children in the invoice's trace: status reads and the UPO.
    const ksefCalls = inTrace.map((s) => String(s.attributes['url.full'] ?? '')).filter((u) => u.includes('/v2/sessions/'));
    expect(ksefCalls).toContain(`${sim.apiBaseUrl}/sessions/${session.referenceNumber}/invoices/${payload.invoiceReferenceNumber}`);
    expect(ksefCalls).toContain(`${sim.apiBaseUrl}/sessions/${session.referenceNumber}/invoices/ksef/${status.ksefNumber}/upo`);
  });

  it('invoices of one session due together are answered by one session listing', async () => {
    const before = await poller.metrics();
    const saved = (text: string) => Number(/ksef_poller_ksef_calls_saved_total(?:\{[^}]*\})? (\d+)/.exec(text)?.[1] ?? 0);
    const submitted = [];
    for (let i = 0; i < 5; i += 1) submitted.push(await submitOnline());
    for (const s of submitted) await finalState(s.invoiceId);
    for (const s of submitted) expect(await oneEvent(accepted, invoiceAccepted.type, s.invoiceId)).toHaveLength(1);
    const after = await poller.metrics();
    expect(saved(after)).toBeGreaterThan(saved(before));
    expect(after).toMatch(/ksef_poller_ksef_calls_total\{[^}]*operation="list-page"[^}]*\} [1-9]/);
    expect(after).toMatch(/ksef_poller_backlog_invoices(\{[^}]*\})? 0/);
  });

  it('a batch submission (no invoice reference number) is found in the session list by its hash', async () => {
    const numbers = [`FVB/${randomUUID().slice(0, 8)}`, `FVB/${randomUUID().slice(0, 8)}`];
    const files = numbers.map((n, i) => ({ fileName: `inv-${i}.xml`, content: buildSampleInvoice({ sellerNip: nip, invoiceNumber: n }) }));
    const batch = await ksef.sendBatch(files);
    const ids = files.map(() => randomUUID());
    for (const [i, file] of files.entries()) {
      await world.publish(
        { invoiceId: ids[i], erpDocumentId: numbers[i], contextNip: nip, sessionReferenceNumber: batch.referenceNumber, mode: 'batch', invoiceHash: batch.invoiceHashes[file.fileName], submittedAt: new Date().toISOString(), attempt: 1, reconciled: false },
        TENANT,
      );
    }
    for (const id of ids) await finalState(id);
    const listed = new Map<string, string>();
    for await (const inv of ksef.iterateSessionInvoices(batch.referenceNumber)) listed.set(inv.invoiceHash, inv.ksefNumber ?? '');
    for (const [i, id] of ids.entries()) {
      const [event, ...more] = await oneEvent(accepted, invoiceAccepted.type, id);
      expect(more).toEqual([]);
      const body = invoiceAccepted.parse(event).payload;
      expect(body.ksefNumber).toBe(listed.get(batch.invoiceHashes[files[i].fileName]));
      expect(body.sessionReferenceNumber).toBe(batch.referenceNumber);
      expect(validator.validate('UPO-v4-3', body.upoXml!).valid).toBe(true);
      expect((await plan(id)).invoice_reference_number).toBe(body.invoiceReferenceNumber);
    }
  });

  it('an invoice KSeF rejects in processing gives invoice.rejected at stage processing', async () => {
    // The seller is not the context's NIP: KSeF takes it (202) and rejects it in processing (410).
    const { invoiceId, payload } = await submitOnline({ xml: buildSampleInvoice({ sellerNip: randomNip(), invoiceNumber: `FVR/${randomUUID().slice(0, 8)}` }) });
    await finalState(invoiceId);
    expect((await plan(invoiceId)).state).toBe('REJECTED');
    const [event, ...more] = await oneEvent(rejected, invoiceRejected.type, invoiceId);
    expect(more).toEqual([]);
    const body = invoiceRejected.parse(event).payload;
    expect(body).toMatchObject({ stage: 'processing', processingCode: 410, invoiceReferenceNumber: payload.invoiceReferenceNumber, sessionReferenceNumber: session.referenceNumber });
    expect(body.description.length).toBeGreaterThan(0);
    expect(await result(invoiceId)).toBeUndefined();
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toEqual([]);
  });

  it('a KSeF duplicate (440) is accepted under the ORIGINAL KSeF number, never rejected', async () => {
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVD/${randomUUID().slice(0, 8)}` });
    const original = await submitOnline({ xml });
    await finalState(original.invoiceId);
    const copy = await submitOnline({ xml });
    await finalState(copy.invoiceId);
    const copyStatus = await ksef.getInvoiceStatus(session.referenceNumber, copy.payload.invoiceReferenceNumber!);
    expect(copyStatus.status.code).toBe(440);

    const originalEvent = invoiceAccepted.parse((await oneEvent(accepted, invoiceAccepted.type, original.invoiceId))[0]).payload;
    const [event, ...more] = await oneEvent(accepted, invoiceAccepted.type, copy.invoiceId);
    expect(more).toEqual([]);
    const body = invoiceAccepted.parse(event).payload;
    expect(body).toMatchObject({ duplicate: true, ksefNumber: originalEvent.ksefNumber, acquisitionDate: originalEvent.acquisitionDate, upoPending: false, invoiceReferenceNumber: copy.payload.invoiceReferenceNumber });
    expect(body.upoXml).toContain(originalEvent.ksefNumber);
    expect(rejected.of(invoiceRejected.type, copy.invoiceId)).toEqual([]);
    expect(await result(copy.invoiceId)).toMatchObject({ duplicate: true, ksef_number: originalEvent.ksefNumber });
  });

  it('a 429 storm and 503s on status reads and listings lose and double nothing', async () => {
    await fault({ type: 'rateLimit', endpoint: INVOICE_STATUS, count: 4, retryAfterSeconds: 1 });
    await fault({ type: 'rateLimit', endpoint: SESSION_LIST, count: 2, retryAfterSeconds: 1 });
    await fault({ type: 'error5xx', endpoint: SESSION_LIST, count: 2, statuses: [503] });
    await fault({ type: 'error5xx', endpoint: INVOICE_STATUS, count: 2, statuses: [502, 503] });
    const lone = await submitOnline();
    await finalState(lone.invoiceId);
    const pair = [await submitOnline(), await submitOnline()];
    for (const s of [lone, ...pair]) {
      await finalState(s.invoiceId);
      expect((await plan(s.invoiceId)).state).toBe('DONE');
      expect(await oneEvent(accepted, invoiceAccepted.type, s.invoiceId)).toHaveLength(1);
    }
    const metrics = await poller.metrics();
    expect(metrics).toMatch(/ksef_poller_polls_total\{[^}]*outcome="rate-limited"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ksef_poller_polls_total\{[^}]*outcome="failed"[^}]*\} [1-9]/);
    // A second event would come later, if at all: give the relay time, then count again.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const s of [lone, ...pair]) expect(accepted.of(invoiceAccepted.type, s.invoiceId)).toHaveLength(1);
  });

  it('a UPO late past the wait: invoice.accepted with upoPending, then invoice.upo-received once it comes', async () => {
    const blocked = await fault({ type: 'error5xx', endpoint: UPO_BY_KSEF_NUMBER, statuses: [503] });
    const { invoiceId } = await submitOnline();
    await finalState(invoiceId, ['UPO_LATE']);
    const body = invoiceAccepted.parse((await oneEvent(accepted, invoiceAccepted.type, invoiceId))[0]).payload;
    expect(body).toMatchObject({ upoPending: true, duplicate: false });
    expect(body.upoXml).toBeUndefined();
    expect(await result(invoiceId)).toMatchObject({ ksef_number: body.ksefNumber, upo_xml: null });
    expect(await poller.metrics()).toMatch(/ksef_poller_accepted_missing_upo_invoices(\{[^}]*\})? [1-9]/);

    await admin('DELETE', `/admin/faults/${blocked.id}`);
    await finalState(invoiceId, ['DONE']);
    const [late, ...more] = await oneEvent(upoReceived, invoiceUpoReceived.type, invoiceId);
    expect(more).toEqual([]);
    const upo = invoiceUpoReceived.parse(late).payload;
    expect(upo.ksefNumber).toBe(body.ksefNumber);
    expect(validator.validate('UPO-v4-3', upo.upoXml).valid).toBe(true);
    expect((await result(invoiceId)).upo_xml).toBe(upo.upoXml);
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toHaveLength(1);
  });

  it('no final status before the verdict deadline escalates KSEF_NO_VERDICT', async () => {
    await fault({ type: 'stuckProcessing' });
    const { invoiceId } = await submitOnline({ submittedAt: new Date(Date.now() - 2 * 3_600_000) });
    await finalState(invoiceId);
    expect((await plan(invoiceId)).state).toBe('ESCALATED');
    const body = invoiceEscalated.parse((await oneEvent(escalated, invoiceEscalated.type, invoiceId))[0]).payload;
    expect(body).toMatchObject({ actor: 'status-poller', code: 'KSEF_NO_VERDICT', contextNip: nip });
    expect(accepted.of(invoiceAccepted.type, invoiceId)).toEqual([]);
  });

  it('two poller instances on one table: every invoice accepted exactly once, work shared', async () => {
    const second = await startPoller(world, { ksefBaseUrl: sim.apiBaseUrl, tokens });
    const outcomes = (text: string) => [...text.matchAll(/ksef_poller_outcomes_total\{[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    try {
      const before = outcomes(await poller.metrics()) + outcomes(await second.metrics());
      const submitted = [];
      for (let i = 0; i < 12; i += 1) submitted.push(await submitOnline());
      for (const s of submitted) await finalState(s.invoiceId);
      await new Promise((r) => setTimeout(r, 1_500));
      for (const s of submitted) expect(accepted.of(invoiceAccepted.type, s.invoiceId)).toHaveLength(1);
      const firstCount = outcomes(await poller.metrics());
      const secondCount = outcomes(await second.metrics());
      expect(firstCount + secondCount - before).toBe(12);
      expect(secondCount).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });

  it('a batch invoice missing from a session that is already processed escalates at once, without waiting for the deadline', async () => {
    const closed = await ksef.openOnlineSession();
    await closed.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVS/${randomUUID().slice(0, 8)}` }));
    await closed.close();
    await ksef.waitForSessionStatus(closed.referenceNumber, { intervalMs: 200, timeoutMs: 30_000 });
    const invoiceId = randomUUID();
    await world.publish(
      { invoiceId, erpDocumentId: 'FVS/missing', contextNip: nip, sessionReferenceNumber: closed.referenceNumber, mode: 'batch', invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', submittedAt: new Date().toISOString(), attempt: 1, reconciled: false },
      TENANT,
    );
    await finalState(invoiceId);
    expect((await plan(invoiceId)).state).toBe('ESCALATED');
    const body = invoiceEscalated.parse((await oneEvent(escalated, invoiceEscalated.type, invoiceId))[0]).payload;
    expect(body).toMatchObject({ code: 'KSEF_INVOICE_NOT_IN_SESSION', referenceNumbers: { sessionReferenceNumber: closed.referenceNumber } });
    // Only KSEF_NO_VERDICT escalations are watched for a late verdict: this one never will be listed.
    const [{ watch_until }] = (await poller.dataSource.query(`SELECT watch_until FROM status_poller.poll_plan WHERE invoice_id = $1`, [invoiceId])) as Array<{ watch_until: Date | null }>;
    expect(watch_until).toBeNull();
  });

  it('an invoice of a context the sender does not know keeps its row and is retried, never dropped', async () => {
    const stranger = randomNip();
    const invoiceId = randomUUID();
    await world.publish(
      { invoiceId, erpDocumentId: 'X', contextNip: stranger, sessionReferenceNumber: session.referenceNumber, mode: 'online', invoiceReferenceNumber: 'EE-1', invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', submittedAt: new Date().toISOString(), attempt: 1, reconciled: false },
      TENANT,
    );
    await waitFor(async () => (await plan(invoiceId))?.polls >= 2, { timeoutMs: 30_000, what: 'polls of an unknown context' });
    expect(await plan(invoiceId)).toMatchObject({ state: 'WAITING', last_error_code: 'KSEF_CONTEXT_UNKNOWN' });
  });
});
