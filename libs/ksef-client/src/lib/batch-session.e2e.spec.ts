import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import {
  KsefAmbiguousError,
  KsefLogicalError,
  buildBatchArchive,
  generateSymmetricKey,
  invoiceOutcome,
  prepareBatchPackage,
  sha256Base64,
  validateKsefNumber,
  type KsefClient,
  type SessionInvoiceStatusResponse,
} from '../index';
import { startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// Batch sessions end to end against the running simulator: archive, split, encrypt, open, parallel upload, close.
let fx: SimFixture;
let client: KsefClient;
let nip: string;
const wait = { intervalMs: 200, timeoutMs: 60_000 };

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_PROCESSING_DELAY_MS: '50', SIM_AUTH_DELAY_MS: '20' } });
  ({ client, nip } = await fx.newClient());
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

function invoices(count: number, prefix: string) {
  const stamp = `${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
  return Array.from({ length: count }, (_, i) => ({ fileName: `${prefix}-${i}.xml`, content: buildSampleInvoice({ sellerNip: nip, invoiceNumber: `${prefix}/${stamp}/${i}` }) }));
}

async function allInvoices(sessionReferenceNumber: string): Promise<SessionInvoiceStatusResponse[]> {
  const out: SessionInvoiceStatusResponse[] = [];
  for await (const invoice of client.iterateSessionInvoices(sessionReferenceNumber, { pageSize: 10 })) out.push(invoice);
  return out;
}

describe('ksef-client batch session (simulator)', () => {
  it.each(['Zip', 'TarGz'] as const)('sends a %s package in several parts and every invoice gets a KSeF number', async (compression) => {
    const files = invoices(12, `B${compression}`);
    const result = await client.sendBatch(files, { compression, maxPartSize: 1_024, uploadConcurrency: 3 });
    expect(result.partCount).toBeGreaterThanOrEqual(2);

    const status = await client.waitForSessionStatus(result.referenceNumber, { ...wait, done: (s) => s.status.code >= 200 && !!s.upo?.pages.length });
    expect(status.status.code).toBe(200);
    expect(status.successfulInvoiceCount).toBe(12);
    expect(status.failedInvoiceCount ?? 0).toBe(0);

    // Results are correlated back by hash; paging follows continuation tokens (pageSize 10 < 12 invoices).
    const listed = await allInvoices(result.referenceNumber);
    expect(listed).toHaveLength(12);
    expect(new Set(listed.map((i) => i.invoiceHash))).toEqual(new Set(Object.values(result.invoiceHashes)));
    for (const invoice of listed) {
      const outcome = invoiceOutcome(invoice);
      expect(outcome.kind).toBe('accepted');
      if (outcome.kind === 'accepted') expect(validateKsefNumber(outcome.ksefNumber).valid).toBe(true);
    }
    // KSeF numbers come from the session UPO pages (cheaper than invoice lists after a batch).
    const upo = await client.getSessionUpo(result.referenceNumber, status.upo!.pages[0]!.referenceNumber);
    for (const invoice of listed) expect(upo).toContain(invoice.ksefNumber!);
  });

  it('reports invalid invoices of a package among the failed ones, the rest accepted', async () => {
    const files = invoices(3, 'BF');
    files[1] = { fileName: files[1]!.fileName, content: files[1]!.content.replace(/<P_15>[^<]*<\/P_15>/, '') };
    const result = await client.sendBatch(files, { compression: 'Zip' });
    const status = await client.waitForSessionStatus(result.referenceNumber, wait);
    expect(status.successfulInvoiceCount).toBe(2);
    expect(status.failedInvoiceCount).toBe(1);
    const failed = await client.listFailedSessionInvoices(result.referenceNumber);
    expect(failed.invoices).toHaveLength(1);
    expect(failed.invoices[0]!.invoiceHash).toBe(sha256Base64(files[1]!.content));
    expect(invoiceOutcome(failed.invoices[0]!)).toMatchObject({ kind: 'rejected', code: 430 });
  });

  it('closing with a declared part missing is refused with 21205 (logical error, step by step API)', async () => {
    const files = invoices(6, 'BM');
    const archive = await buildBatchArchive(files, 'Zip');
    const symmetric = generateSymmetricKey();
    const pkg = prepareBatchPackage(archive, symmetric, { maxPartSize: 1_024, compression: 'Zip', files });
    expect(pkg.encryptedParts.length).toBeGreaterThanOrEqual(2);
    const opened = await client.openBatchSession({ batchFile: pkg.batchFile, symmetric });
    expect(opened.partUploadRequests).toHaveLength(pkg.encryptedParts.length);
    const first = opened.partUploadRequests.find((p) => p.ordinalNumber === 1)!;
    await client.uploadBatchPart(first, pkg.encryptedParts[0]!, opened.referenceNumber);
    const error = await client.closeBatchSession(opened.referenceNumber).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect((error as KsefLogicalError).hasExceptionCode(21205)).toBe(true);
    expect((error as KsefLogicalError).facts.referenceNumbers['sessionReferenceNumber']).toBe(opened.referenceNumber);
  });
  it('a lost answer to close is ambiguous; the session status tells whether the close happened', async () => {
    await fx.admin.addFault({ type: 'drop', endpoint: 'POST /v2/sessions/batch/:referenceNumber/close', count: 1 });
    const error = await client.sendBatch(invoices(2, 'BD'), { compression: 'Zip' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefAmbiguousError);
    const sessionReferenceNumber = (error as KsefAmbiguousError).facts.referenceNumbers['sessionReferenceNumber']!;
    const status = await client.waitForSessionStatus(sessionReferenceNumber, wait);
    expect(status.status.code).toBe(200);
    expect(status.successfulInvoiceCount).toBe(2);
  });

  it('closing after the upload window (parts × 20 min) is refused with 21208 and the session is cancelled', async () => {
    const files = invoices(2, 'BW');
    const archive = await buildBatchArchive(files, 'Zip');
    const symmetric = generateSymmetricKey();
    const pkg = prepareBatchPackage(archive, symmetric, { compression: 'Zip', files });
    const opened = await client.openBatchSession({ batchFile: pkg.batchFile, symmetric });
    await client.uploadBatchPart(opened.partUploadRequests[0]!, pkg.encryptedParts[0]!, opened.referenceNumber);
    // Simulated time jumps 21 minutes: the upload window closes, and the access token the client holds expires in
    // the simulator's clock (not in ours), so the close also goes through 401 → refresh → retry.
    const renewalsBefore = client.tokens.stats.refreshes + client.tokens.stats.logins;
    await fx.admin.post('/admin/clock', { advanceMs: 21 * 60_000 });
    const error = await client.closeBatchSession(opened.referenceNumber).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect((error as KsefLogicalError).hasExceptionCode(21208)).toBe(true);
    expect((await client.getSessionStatus(opened.referenceNumber)).status.code).toBe(440);
    expect(client.tokens.stats.refreshes + client.tokens.stats.logins).toBeGreaterThan(renewalsBefore);
  });
});

describe('ksef-client sendBatch beforeClose (simulator)', () => {
  it('runs after the uploads and before the close, with the session reference number', async () => {
    const seen: Array<{ ref: string; status: number }> = [];
    const result = await client.sendBatch(invoices(3, 'BC'), {
      beforeClose: async (ref) => void seen.push({ ref, status: (await client.getSessionStatus(ref)).status.code }),
    });
    expect(seen).toEqual([{ ref: result.referenceNumber, status: 100 }]);
    const status = await client.waitForSessionStatus(result.referenceNumber, wait);
    expect(status.status.code).toBe(200);
  });

  it('a throw in beforeClose aborts without closing: KSeF never processes the package', async () => {
    let ref = '';
    const error = await client
      .sendBatch(invoices(2, 'BA'), {
        beforeClose: async (r) => {
          ref = r;
          throw new Error('could not record the batch');
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('could not record the batch');
    expect((await client.getSessionStatus(ref)).status.code).toBe(100);
    expect(await allInvoices(ref)).toEqual([]);
  });
});
