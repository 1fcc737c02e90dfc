import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import {
  KsefAmbiguousError,
  KsefAuthError,
  KsefHttp,
  KsefRateLimitError,
  KsefTransportError,
  PollTimeoutError,
  isKsefError,
  type KsefClient,
  type KsefError,
  type OnlineSession,
} from '../index';
import { startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// Every error class produced by the simulator's fault injection (its admin API) and classified by the client.
const SEND = 'POST /v2/sessions/online/:referenceNumber/invoices';
const STATUS = 'GET /v2/sessions/:referenceNumber/invoices/:invoiceReferenceNumber';
const wait = { intervalMs: 100, timeoutMs: 30_000 };
let fx: SimFixture;
let client: KsefClient;
let nip: string;
let session: OnlineSession;
const invoiceNo = (): string => `FV/${Date.now()}/${Math.random().toString(36).slice(2, 8)}`;

async function failure(promise: Promise<unknown>): Promise<KsefError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKsefError(error)) throw new Error(`expected a KsefError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_PROCESSING_DELAY_MS: '50', SIM_AUTH_DELAY_MS: '20' } });
  ({ client, nip } = await fx.newClient({ timeoutMs: 1_500 }));
  session = await client.openOnlineSession();
}, 300_000);
afterEach(async () => {
  await fx.admin.resetFaults();
});
afterAll(async () => {
  await fx?.stop();
});

describe('ksef-client error classification under injected faults (simulator)', () => {
  it('5xx on a status read is a retriable transport error keeping the body', async () => {
    const sent = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    await fx.admin.addFault({ type: 'error5xx', endpoint: STATUS, statuses: [502], count: 1 });
    const error = await failure(session.invoiceStatus(sent.referenceNumber));
    expect(error).toBeInstanceOf(KsefTransportError);
    expect(error.code).toBe('KSEF_SERVER_ERROR');
    expect(error.retriable).toBe(true);
    expect(error.facts.httpStatus).toBe(502);
    expect(error.facts.referenceNumbers).toMatchObject({ sessionReferenceNumber: session.referenceNumber, invoiceReferenceNumber: sent.referenceNumber });
    expect(error.responseBody).toMatchObject({ status: 502 });
    expect((await session.waitForInvoice(sent.referenceNumber, wait)).kind).toBe('accepted');
  });

  it('5xx on a send is ambiguous; reconciling by hash shows it never arrived, so re-sending is safe', async () => {
    const prepared = session.prepareInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    await fx.admin.addFault({ type: 'error5xx', endpoint: SEND, statuses: [500], count: 1 });
    const error = await failure(session.sendInvoice(prepared));
    expect(error).toBeInstanceOf(KsefAmbiguousError);
    expect(error.code).toBe('KSEF_OUTCOME_UNKNOWN');
    expect(error.retriable).toBe(true);
    expect(error.facts.referenceNumbers['invoiceHash']).toBe(prepared.invoiceHash);
    expect(await session.findInvoiceByHash(prepared.invoiceHash)).toBeUndefined();
    const sent = await session.sendInvoice(prepared);
    expect((await session.waitForInvoice(sent.referenceNumber, wait)).kind).toBe('accepted');
  });

  it('a dropped answer after the invoice was accepted is ambiguous; reconciliation finds it, a blind re-send is a duplicate', async () => {
    const prepared = session.prepareInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    await fx.admin.addFault({ type: 'drop', endpoint: SEND, count: 1 });
    const error = await failure(session.sendInvoice(prepared));
    expect(error).toBeInstanceOf(KsefAmbiguousError);
    expect(error.facts.networkCode).toBeDefined();
    const known = await session.findInvoiceByHash(prepared.invoiceHash);
    expect(known).toBeDefined();
    const original = await session.waitForInvoice(known!.referenceNumber, wait);
    expect(original.kind).toBe('accepted');
    // A re-send without reconciling would not lose or double the invoice: KSeF answers 440 with the original number.
    const again = await session.sendInvoice(prepared);
    const duplicate = await session.waitForInvoice(again.referenceNumber, wait);
    expect(duplicate.kind).toBe('duplicate');
    expect(duplicate.kind === 'duplicate' && duplicate.originalKsefNumber).toBe(original.kind === 'accepted' && original.ksefNumber);
  });

  it('no answer at all: a timed-out send is ambiguous, a timed-out read is a transport timeout', async () => {
    await fx.admin.addFault({ type: 'timeout', endpoint: SEND, count: 1 });
    const send = await failure(session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() })));
    expect(send).toBeInstanceOf(KsefAmbiguousError);
    const sent = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    await fx.admin.addFault({ type: 'slow', endpoint: STATUS, delayMs: 3_000, count: 1 });
    const read = await failure(session.invoiceStatus(sent.referenceNumber));
    expect(read).toBeInstanceOf(KsefTransportError);
    expect(read.code).toBe('KSEF_TIMEOUT');
  });

  it('an outage (503 on every call) is transport on reads and ambiguous on sends', async () => {
    await fx.admin.addFault({ type: 'outage', durationMs: 60_000 });
    const read = await failure(client.getSessionStatus(session.referenceNumber));
    expect(read.code).toBe('KSEF_SERVER_ERROR');
    expect(read.facts.httpStatus).toBe(503);
    const send = await failure(session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() })));
    expect(send.code).toBe('KSEF_OUTCOME_UNKNOWN');
  });

  it('429 is a rate-limit error with Retry-After, and the limiter holds that group back', async () => {
    const sent = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    await fx.admin.addFault({ type: 'rateLimit', endpoint: STATUS, retryAfterSeconds: 2, count: 1 });
    const error = await failure(session.invoiceStatus(sent.referenceNumber));
    expect(error).toBeInstanceOf(KsefRateLimitError);
    expect((error as KsefRateLimitError).retryAfterMs).toBe(2_000);
    expect(error.retriable).toBe(true);
    expect(client.limiter!.delayFor(`Nip:${nip}`, 'invoiceStatus')).toBeGreaterThan(1_000);
    const started = Date.now();
    await session.invoiceStatus(sent.referenceNumber);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('401 for a bad token and 403 for missing permissions are auth errors, not retriable', async () => {
    const http = new KsefHttp({ baseUrl: fx.sim.apiBaseUrl });
    const unauthorized = await failure(http.send({ operation: 'getSessionStatus', method: 'GET', path: `/sessions/${session.referenceNumber}`, bearer: 'not-a-token', idempotent: true, expect: [200] }));
    await http.close();
    expect(unauthorized).toBeInstanceOf(KsefAuthError);
    expect(unauthorized.code).toBe('KSEF_UNAUTHORIZED');
    expect(unauthorized.retriable).toBe(false);
    expect(unauthorized.facts.httpStatus).toBe(401);

    const readOnly = await fx.admin.post<{ token: string }>('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip }, permissions: ['InvoiceRead'] });
    const { client: reader } = await fx.newClient({ nip, credentials: { type: 'ksef-token', token: readOnly.token } });
    const forbidden = await failure(reader.openOnlineSession());
    expect(forbidden).toBeInstanceOf(KsefAuthError);
    expect(forbidden.code).toBe('KSEF_FORBIDDEN');
    expect((forbidden as KsefAuthError).reasonCode).toBeDefined();
    expect(forbidden.retriable).toBe(false);
  });
  it('processing stuck at 150 ends the wait with a retriable KSEF_STILL_PROCESSING carrying the last status', async () => {
    await fx.admin.addFault({ type: 'stuckProcessing', durationMs: 60_000 });
    const sent = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    const error = await session.waitForInvoice(sent.referenceNumber, { intervalMs: 100, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollTimeoutError);
    expect((error as PollTimeoutError).code).toBe('KSEF_STILL_PROCESSING');
    expect((error as PollTimeoutError).retriable).toBe(true);
    expect((error as PollTimeoutError).last).toMatchObject({ referenceNumber: sent.referenceNumber });
    await fx.admin.resetFaults();
    expect((await session.waitForInvoice(sent.referenceNumber, wait)).kind).toBe('accepted');
  });
});
