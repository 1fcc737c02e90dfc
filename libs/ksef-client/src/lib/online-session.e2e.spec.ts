import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { KsefLogicalError, buildKodIUrl, invoiceOutcome, sha256Base64, validateKsefNumber, type KsefClient, type KsefLogger } from '../index';
import { startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// The interactive flow end to end against the running simulator: open, send, status, KSeF number, UPO, close.
let fx: SimFixture;
let client: KsefClient;
let nip: string;
const wait = { intervalMs: 100, timeoutMs: 30_000 };
const invoiceNo = (): string => `FV/${Date.now()}/${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_PROCESSING_DELAY_MS: '100', SIM_AUTH_DELAY_MS: '20' } });
  ({ client, nip } = await fx.newClient());
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

describe('ksef-client interactive session (simulator)', () => {
  it('sends an invoice to a KSeF number and fetches its UPO, then the session UPO after close', async () => {
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() });
    const session = await client.openOnlineSession();
    expect(session.referenceNumber).toHaveLength(36);

    const sent = await session.sendInvoice(xml);
    expect(sent.invoiceHash).toBe(sha256Base64(Buffer.from(xml, 'utf8')));
    const outcome = await session.waitForInvoice(sent.referenceNumber, wait);
    if (outcome.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
    expect(validateKsefNumber(outcome.ksefNumber)).toMatchObject({ valid: true, sellerNip: nip });
    expect(outcome.status.invoiceHash).toBe(sent.invoiceHash);

    const upo = await client.getInvoiceUpo(session.referenceNumber, sent.referenceNumber);
    expect(upo).toContain(outcome.ksefNumber);
    const upoByNumber = await client.getInvoiceUpoByKsefNumber(session.referenceNumber, outcome.ksefNumber);
    expect(upoByNumber).toContain(outcome.ksefNumber);
    if (outcome.status.upoDownloadUrl) expect(await client.downloadFromUrl(outcome.status.upoDownloadUrl)).toContain(outcome.ksefNumber);

    await session.close();
    const closed = await client.waitForSessionStatus(session.referenceNumber, { ...wait, done: (s) => s.status.code === 200 && !!s.upo?.pages.length });
    expect(closed.successfulInvoiceCount).toBe(1);
    const page = closed.upo!.pages[0]!;
    expect(await client.getSessionUpo(session.referenceNumber, page.referenceNumber)).toContain(outcome.ksefNumber);
    expect(await client.downloadFromUrl(page.downloadUrl)).toContain(outcome.ksefNumber);

    // KOD I for the accepted invoice: built from the same bytes KSeF hashed.
    expect(buildKodIUrl({ environment: 'test', sellerNip: nip, issueDate: new Date().toISOString().slice(0, 10), invoice: xml })).toContain(
      Buffer.from(sent.invoiceHash, 'base64').toString('base64url'),
    );
  });

  it('recognises a duplicate submission: status 440 carrying the original KSeF number', async () => {
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() });
    const first = await client.openOnlineSession();
    const a = await first.sendInvoice(xml);
    const original = await first.waitForInvoice(a.referenceNumber, wait);
    expect(original.kind).toBe('accepted');

    const second = await client.openOnlineSession();
    const b = await second.sendInvoice(xml);
    const duplicate = await second.waitForInvoice(b.referenceNumber, wait);
    expect(duplicate).toMatchObject({ kind: 'duplicate', originalSessionReferenceNumber: first.referenceNumber });
    expect(duplicate.kind === 'duplicate' && duplicate.originalKsefNumber).toBe(original.kind === 'accepted' && original.ksefNumber);
    const failed = await client.listFailedSessionInvoices(second.referenceNumber);
    expect(failed.invoices.map((i) => i.referenceNumber)).toContain(b.referenceNumber);
    await Promise.all([first.close(), second.close()]);
  });

  it('reports an invoice that fails verification as a rejection outcome (a business result, not an error)', async () => {
    const session = await client.openOnlineSession();
    const broken = buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }).replace(/<P_15>[^<]*<\/P_15>/, '');
    const sent = await session.sendInvoice(broken);
    const outcome = await session.waitForInvoice(sent.referenceNumber, wait);
    expect(outcome.kind).toBe('rejected');
    expect(outcome.kind === 'rejected' && outcome.code).toBe(430);
    await session.close();
  });

  it('classifies documented 4xx exception codes as logical errors with the full body and reference numbers', async () => {
    const session = await client.openOnlineSession();
    const prepared = session.prepareInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }));
    const wrongHash = { ...prepared, invoiceHash: sha256Base64('something else') };
    const error = await session.sendInvoice(wrongHash).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    const logical = error as KsefLogicalError;
    expect(logical.hasExceptionCode(21403)).toBe(true);
    expect(logical.retriable).toBe(false);
    expect(logical.facts.httpStatus).toBe(400);
    expect(logical.facts.referenceNumbers['sessionReferenceNumber']).toBe(session.referenceNumber);
    expect(logical.responseBody).toMatchObject({ exception: { exceptionDetailList: [{ exceptionCode: 21403 }] } });

    await session.close();
    const afterClose = await session.sendInvoice(prepared).catch((e: unknown) => e);
    expect(afterClose).toBeInstanceOf(KsefLogicalError);
    expect((afterClose as KsefLogicalError).hasExceptionCode(21180)).toBe(true);
  });

  it('lists session invoices, finds one by hash, and resumes a session from its exported state', async () => {
    const session = await client.openOnlineSession();
    const resumed = client.resumeOnlineSession(session.exportState());
    expect(JSON.stringify(session)).not.toContain(session.exportState().symmetricKey);
    const sent = [];
    for (let i = 0; i < 3; i += 1) sent.push(await resumed.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() })));
    for (const s of sent) expect((await session.waitForInvoice(s.referenceNumber, wait)).kind).toBe('accepted');
    const page = await client.listSessionInvoices(session.referenceNumber, { pageSize: 10 });
    expect(page.invoices).toHaveLength(3);
    expect(page.invoices.map(invoiceOutcome).every((o) => o.kind === 'accepted')).toBe(true);
    const found = await session.findInvoiceByHash(sent[1]!.invoiceHash);
    expect(found?.referenceNumber).toBe(sent[1]!.referenceNumber);
    expect(await session.findInvoiceByHash(sha256Base64('never sent'))).toBeUndefined();
    await session.close();
  });
  it('applies the context session limits: the invoice over maxInvoices is refused with 21155', async () => {
    const { client: limited, nip: limitedNip } = await fx.newClient();
    const defaults = await limited.getContextLimits();
    await limited.setTestSessionLimits({ ...defaults, onlineSession: { ...defaults.onlineSession, maxInvoices: 1 } });
    expect((await limited.getContextLimits()).onlineSession.maxInvoices).toBe(1);
    const session = await limited.openOnlineSession();
    await session.sendInvoice(buildSampleInvoice({ sellerNip: limitedNip, invoiceNumber: invoiceNo() }));
    const error = await session.sendInvoice(buildSampleInvoice({ sellerNip: limitedNip, invoiceNumber: invoiceNo() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect((error as KsefLogicalError).hasExceptionCode(21155)).toBe(true);
  });

  it('never logs tokens, keys or invoice contents, on success or failure', async () => {
    const lines: string[] = [];
    const logger: KsefLogger = { debug: (o, m) => lines.push(JSON.stringify([o, m])), warn: (o, m) => lines.push(JSON.stringify([o, m])) };
    const { client: logged, nip: loggedNip, token } = await fx.newClient({ logger });
    const xml = buildSampleInvoice({ sellerNip: loggedNip, invoiceNumber: invoiceNo() });
    const session = await logged.openOnlineSession();
    const prepared = session.prepareInvoice(xml);
    const sent = await session.sendInvoice(prepared);
    await session.waitForInvoice(sent.referenceNumber, wait);
    await session.sendInvoice({ ...prepared, invoiceHash: sha256Base64('x') }).catch(() => undefined); // a 400, logged as warn
    await session.close();
    const accessToken = await logged.tokens.accessToken();
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(text).toContain('sendInvoice');
    for (const secret of [token, accessToken, prepared.encryptedInvoiceContent.slice(0, 40), session.exportState().symmetricKey, 'Sprzedawca Testowy', '<Faktura']) {
      expect(text).not.toContain(secret);
    }
  });
});
