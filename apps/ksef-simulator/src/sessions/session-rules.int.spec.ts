import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { DocClient, FA2, FA3, SessionCrypto, sha256, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';

describe('session rules: limits, offline mode, technical corrections, upload window', () => {
  let sim: RunningSimulator;
  let client: DocClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
  });
  afterAll(() => sim.close());

  async function open() {
    const crypto = new SessionCrypto();
    const res = await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } });
    return { crypto, ref: res.body.referenceNumber as string };
  }
  const final = (ref: string, inv: string) =>
    waitFor(async () => {
      const r = await client.call('GET', `/v2/sessions/${ref}/invoices/${inv}`);
      return r.body.status.code >= 200 ? r.body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20 });

  it('enforces the session invoice limit set through /testdata/limits/context/session (21155)', async () => {
    const limits = { maxInvoiceSizeInMB: 1, maxInvoiceWithAttachmentSizeInMB: 3, maxInvoices: 2 };
    expect((await client.call('POST', '/v2/testdata/limits/context/session', { body: { onlineSession: limits, batchSession: limits } })).status).toBe(200);
    expect((await client.call('GET', '/v2/limits/context')).body.onlineSession.maxInvoices).toBe(2);
    const { crypto, ref } = await open();
    for (let i = 0; i < 2; i++) {
      expect((await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `L/${Date.now()}/${i}` })) })).status).toBe(202);
    }
    const third = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `L/${Date.now()}/3` })) });
    expect(third.body.exception.exceptionDetailList[0].exceptionCode).toBe(21155);
    await client.call('DELETE', '/v2/testdata/limits/context/session');
  });

  it('an invoice of another seller than the context NIP ends in 410 (wrong permission scope)', async () => {
    const { crypto, ref } = await open();
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: '1111111111', invoiceNumber: `OTHER/${Date.now()}` })) });
    expect((await final(ref, sent.body.referenceNumber)).status).toMatchObject({ code: 410, description: 'Nieprawidłowy zakres uprawnień' });
  });

  it('marks an invoice issued on an earlier day as Offline (automatic offline) and keeps an explicit offlineMode', async () => {
    const { crypto, ref } = await open();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const late = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `OFF/${Date.now()}`, issueDate: yesterday })) });
    expect((await final(ref, late.body.referenceNumber)).invoicingMode).toBe('Offline');
    const declared = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `OFF2/${Date.now()}` }), { offlineMode: true }) });
    expect((await final(ref, declared.body.referenceNumber)).invoicingMode).toBe('Offline');
  });

  it('technical correction: accepted for a rejected offline invoice, 21166 once a correction succeeded, 21167 for an accepted original', async () => {
    const { crypto, ref } = await open();
    const number = `TK/${Date.now()}`;
    const rejectedXml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number }).replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>QQQ</KodWaluty>');
    const rejected = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(rejectedXml, { offlineMode: true }) });
    expect((await final(ref, rejected.body.referenceNumber)).status.code).toBe(430);
    const hash = sha256(Buffer.from(rejectedXml));
    const correction = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number }), { offlineMode: true, hashOfCorrectedInvoice: hash }) });
    expect(correction.status).toBe(202);
    expect((await final(ref, correction.body.referenceNumber)).status.code).toBe(200);
    const again = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `${number}b` }), { offlineMode: true, hashOfCorrectedInvoice: hash }) });
    expect(again.body.exception.exceptionDetailList[0].exceptionCode).toBe(21166);
    const acceptedHash = sha256(Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number })));
    const ofAccepted = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `${number}c` }), { offlineMode: true, hashOfCorrectedInvoice: acceptedHash }) });
    expect(ofAccepted.body.exception.exceptionDetailList[0].exceptionCode).toBe(21167);
  });

  it('an online session past its 12 h validity is closed by the system and processed', async () => {
    const { crypto, ref } = await open();
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `EXPIRE/${Date.now()}` })) });
    await final(ref, sent.body.referenceNumber);
    await client.call('POST', '/admin/clock', { body: { advanceMs: 12 * 3600_000 + 60_000 }, token: null });
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    const status = await waitFor(async () => {
      const res = await client.call('GET', `/v2/sessions/${ref}`);
      return res.body.status.code === 200 ? res.body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50, what: 'expired session processed' });
    expect(status.upo.pages).toHaveLength(1);
  });

  it('a batch closed after its upload window is cancelled (21208, status 440)', async () => {
    const crypto = new SessionCrypto();
    const part = crypto.encrypt(Buffer.from('x'));
    const res = await client.call('POST', '/v2/sessions/batch', {
      body: { formCode: FA3, batchFile: { fileSize: 1, fileHash: sha256(Buffer.from('x')), fileParts: [{ ordinalNumber: 1, fileSize: part.length, fileHash: sha256(part) }] }, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) },
    });
    await client.call('POST', '/admin/clock', { body: { advanceMs: 21 * 60_000 }, token: null });
    // The window has passed: uploads are refused and close cancels the session.
    expect((await fetch(res.body.partUploadRequests[0].url, { method: 'PUT', body: part })).status).toBe(403);
    // Keep the caller's token valid across the jump.
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    const close = await client.call('POST', `/v2/sessions/batch/${res.body.referenceNumber}/close`);
    expect(close.body.exception.exceptionDetailList[0].exceptionCode).toBe(21208);
    expect((await client.call('GET', `/v2/sessions/${res.body.referenceNumber}`)).body.status).toMatchObject({ code: 440, details: ['Przekroczono czas wysyłki'] });
  });
});

describe('production mode', () => {
  it('has no admin API and no /testdata by default', async () => {
    const sim = await startSimulator({ mode: 'production', adminEnabled: false });
    try {
      expect((await fetch(`${sim.url}/admin/faults`)).status).toBe(404);
      const res = await fetch(`${sim.url}/v2/testdata/subject`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subjectNip: '5265877635', subjectType: 'VatGroup', description: 'x' }) });
      expect(res.status).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it('refuses FA(2), self-signed XAdES certificates, and checks NIP checksums', async () => {
    const sim = await startSimulator({ mode: 'production', adminEnabled: true });
    try {
      const client = new DocClient(sim);
      await client.authenticateWithToken(NIP, await client.seedToken(NIP));
      const fa2 = await client.call('POST', '/v2/sessions/online', { body: { formCode: FA2, encryption: new SessionCrypto().encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } });
      expect(fa2.body.exception.exceptionDetailList[0].exceptionCode).toBe(21405);
      const { authTokenRequest, selfSignedCertificate, signEnveloped } = await import('../../test/xades-test-signer');
      const ch = (await client.call('POST', '/v2/auth/challenge', { token: null })).body;
      const signed = signEnveloped(authTokenRequest(ch.challenge, NIP), selfSignedCertificate({ nip: NIP }));
      const init = (await (await fetch(`${sim.url}/v2/auth/xades-signature`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: signed })).json()) as { referenceNumber: string; authenticationToken: { token: string } };
      const status = await waitFor(async () => {
        const r = await client.call('GET', `/v2/auth/${init.referenceNumber}`, { token: init.authenticationToken.token });
        return r.body.status.code !== 100 ? r.body.status : undefined;
      }, { timeoutMs: 5_000, intervalMs: 20 });
      expect(status).toMatchObject({ code: 460, details: ['Niezaufany łańcuch certyfikatów'] });

      const crypto = new SessionCrypto();
      const ref = (await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } })).body.referenceNumber;
      const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, buyerNip: '1234567890', invoiceNumber: `P/${Date.now()}` })) });
      const result = await waitFor(async () => {
        const r = await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}`);
        return r.body.status.code >= 200 ? r.body : undefined;
      }, { timeoutMs: 10_000, intervalMs: 20 });
      expect(result.status.code).toBe(450);
    } finally {
      await sim.close();
    }
  });
});
