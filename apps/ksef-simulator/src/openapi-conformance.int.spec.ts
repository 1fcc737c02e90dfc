import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { OpenApiConformance } from '../test/openapi-conformance';
import { DocClient, FA3, SessionCrypto, sha256, startSimulator, type RunningSimulator } from '../test/simulator-harness';

const NIP = '5265877635';

describe('responses conform to the official open-api.json (ajv)', () => {
  let sim: RunningSimulator;
  const conformance = new OpenApiConformance();

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'te' });
  });
  afterAll(() => sim.close());

  it('the checker itself refuses a body that breaks the schema', () => {
    expect(conformance.check({ method: 'POST', path: '/v2/auth/challenge', status: 200, contentType: 'application/json', body: { challenge: 'short' } }).length).toBeGreaterThan(0);
    expect(conformance.check({ method: 'POST', path: '/v2/auth/challenge', status: 418, contentType: 'application/json', body: {} })[0]).toMatch(/not documented/);
  });

  it('every response of a full integrator flow, including documented errors, matches its schema', async () => {
    const client = new DocClient(sim);
    await client.call('GET', '/v2/security/public-key-certificates', { token: null });
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    await client.call('POST', '/v2/auth/token/refresh', { token: client.refreshToken });
    await client.call('GET', '/v2/auth/sessions');

    const crypto = new SessionCrypto();
    const open = await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } });
    const ref = open.body.referenceNumber;
    const number = `CONF/${Date.now()}`;
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number })) });
    const dup = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number, netAmount: 3 })) });
    const bad = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest('<Faktura/>') });
    await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}`);
    for (const r of [sent, dup, bad]) {
      await waitFor(async () => (await client.call('GET', `/v2/sessions/${ref}/invoices/${r.body.referenceNumber}`)).body.status.code >= 200, { timeoutMs: 10_000, intervalMs: 20 });
    }
    await client.call('GET', `/v2/sessions/${ref}/invoices`);
    await client.call('GET', `/v2/sessions/${ref}/invoices/failed`);
    await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}/upo`);
    await client.call('GET', `/v2/sessions/${ref}/invoices/${bad.body.referenceNumber}/upo`);
    await client.call('POST', `/v2/sessions/online/${ref}/close`);
    await waitFor(async () => (await client.call('GET', `/v2/sessions/${ref}`)).body.status.code === 200, { timeoutMs: 10_000, intervalMs: 20 });
    await client.call('GET', '/v2/sessions?sessionType=Online');
    const accepted = (await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}`)).body;
    await client.call('POST', '/v2/invoices/query/metadata', { body: { subjectType: 'Subject1', dateRange: { dateType: 'PermanentStorage', from: '2020-01-01T00:00:00Z' } } });
    await client.call('GET', `/v2/invoices/ksef/${accepted.ksefNumber}`);
    const exp = await client.call('POST', '/v2/invoices/exports', {
      body: { encryption: new SessionCrypto().encryptionInfo(await client.certificate('SymmetricKeyEncryption')), filters: { subjectType: 'Subject1', dateRange: { dateType: 'PermanentStorage', from: '2020-01-01T00:00:00Z' } } },
    });
    await waitFor(async () => (await client.call('GET', `/v2/invoices/exports/${exp.body.referenceNumber}`)).body.status.code === 200, { timeoutMs: 10_000, intervalMs: 20 });
    await client.call('GET', `/v2/invoices/ksef/${NIP}-20250101-000000000000-00`);
    await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest('<x/>') });
    await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: { invoiceHash: 'x' }, headers: { 'x-error-format': 'problem-details' } });
    await client.call('GET', `/v2/sessions/${ref}`, { token: null });
    await client.call('GET', '/v2/sessions/20250101-SO-0000000000-0000000000-00');

    // Batch: open, upload the single part, close, final status.
    const { zipSync } = await import('fflate');
    const archive = Buffer.from(zipSync({ 'a.xml': Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `CONF-B/${Date.now()}` })) }));
    const batchCrypto = new SessionCrypto();
    const part = batchCrypto.encrypt(archive);
    const batch = await client.call('POST', '/v2/sessions/batch', {
      body: {
        formCode: FA3,
        batchFile: { fileSize: archive.length, fileHash: sha256(archive), compressionType: 'Zip', fileParts: [{ ordinalNumber: 1, fileSize: part.length, fileHash: sha256(part) }] },
        encryption: batchCrypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')),
      },
    });
    const upload = batch.body.partUploadRequests[0];
    expect((await fetch(upload.url, { method: upload.method, headers: upload.headers, body: part })).status).toBe(201);
    await client.call('POST', `/v2/sessions/batch/${batch.body.referenceNumber}/close`);
    await client.call('POST', `/v2/sessions/batch/${batch.body.referenceNumber}/close`);
    await waitFor(async () => (await client.call('GET', `/v2/sessions/${batch.body.referenceNumber}`)).body.status.code === 200, { timeoutMs: 10_000, intervalMs: 20 });
    await client.call('GET', '/v2/sessions?sessionType=Batch');

    // XAdES: accepted (202) and refused (400 unsigned).
    const { authTokenRequest, selfSignedCertificate, signEnveloped } = await import('../test/xades-test-signer');
    const ch = (await client.call('POST', '/v2/auth/challenge', { token: null })).body;
    await client.call('POST', '/v2/auth/xades-signature', { token: null, xml: signEnveloped(authTokenRequest(ch.challenge, NIP), selfSignedCertificate({ nip: NIP })) });
    await client.call('POST', '/v2/auth/xades-signature', { token: null, xml: authTokenRequest(ch.challenge, NIP) });

    const token = await client.call('POST', '/v2/tokens', { body: { permissions: ['InvoiceRead'], description: 'conformance token' } });
    await client.call('GET', '/v2/tokens');
    await client.call('GET', `/v2/tokens/${token.body.referenceNumber}`);
    await client.call('DELETE', `/v2/tokens/${token.body.referenceNumber}`);

    await client.call('GET', '/v2/rate-limits');
    await client.call('GET', '/v2/limits/context');
    await client.call('POST', '/v2/testdata/subject', { body: { subjectNip: '1111111111', subjectType: 'VatGroup', description: 'grupa VAT' } });
    await client.call('POST', '/v2/testdata/person', { body: { nip: '2222222222', pesel: '90010112345', isBailiff: false, description: 'osoba' } });
    await client.call('POST', '/v2/testdata/attachment', { body: { nip: NIP } });
    await client.call('POST', '/v2/testdata/attachment/revoke', { body: { nip: NIP } });
    const grant = { contextIdentifier: { type: 'Nip', value: NIP }, authorizedIdentifier: { type: 'Nip', value: '1111111111' } };
    await client.call('POST', '/v2/testdata/permissions', { body: { ...grant, permissions: [{ permissionType: 'InvoiceRead', description: 'odczyt' }] } });
    await client.call('POST', '/v2/testdata/permissions/revoke', { body: grant });
    await client.call('POST', '/v2/testdata/subject/remove', { body: { subjectNip: '1111111111' } });
    await client.call('POST', '/v2/testdata/person/remove', { body: { nip: '2222222222' } });
    await client.call('POST', '/v2/testdata/subject', { body: { subjectNip: 'bad', subjectType: 'VatGroup', description: 'x' } });
    await client.call('POST', '/v2/testdata/context/block', { body: { contextIdentifier: { type: 'Nip', value: '3333333333' } } });
    await client.call('POST', '/v2/testdata/context/unblock', { body: { contextIdentifier: { type: 'Nip', value: '3333333333' } } });
    await client.call('POST', '/v2/testdata/limits/context/session', {
      body: { onlineSession: { maxInvoiceSizeInMB: 1, maxInvoiceWithAttachmentSizeInMB: 3, maxInvoices: 5 }, batchSession: { maxInvoiceSizeInMB: 1, maxInvoiceWithAttachmentSizeInMB: 3, maxInvoices: 5 } },
    });
    await client.call('DELETE', '/v2/testdata/limits/context/session');
    const second = new DocClient(sim);
    const secondRef = await second.authenticateWithToken(NIP, await second.seedToken(NIP));
    await client.call('DELETE', `/v2/auth/sessions/${secondRef}`);
    expect((await second.call('GET', '/v2/auth/sessions')).status).toBe(401);
    const limits = (await client.call('GET', '/v2/rate-limits')).body;
    await client.call('POST', '/v2/testdata/rate-limits', { body: { rateLimits: { ...limits, sessionList: { perSecond: 1, perMinute: 1, perHour: 1 } } } });
    await client.call('GET', '/v2/sessions?sessionType=Online');
    const limited = await client.call('GET', '/v2/sessions?sessionType=Online');
    expect(limited.status).toBe(429);
    await client.call('DELETE', '/v2/testdata/rate-limits');
    await client.call('POST', '/v2/testdata/rate-limits/production');
    await client.call('DELETE', '/v2/auth/sessions/current');

    expect(client.recorded.filter((r) => r.path.startsWith('/v2/testdata/') && r.status !== 200 && !r.path.endsWith('/subject'))).toEqual([]);
    const statuses = new Set(client.recorded.map((r) => r.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 202, 204, 400, 401, 429]));
    const problems = client.recorded.flatMap((r) => conformance.check(r));
    expect(problems).toEqual([]);
    expect(client.recorded.length).toBeGreaterThan(45);
    // Mutating one real response must make the check fail (the validation is not vacuous).
    const invoiceStatus = client.recorded.find((r) => /\/invoices\/\d{8}-EE-/.test(r.path) && r.status === 200 && !r.path.endsWith('/upo'));
    expect(invoiceStatus).toBeDefined();
    const { invoiceHash: _dropped, ...withoutHash } = invoiceStatus?.body as Record<string, unknown>;
    expect(conformance.check({ ...(invoiceStatus as NonNullable<typeof invoiceStatus>), body: withoutHash }).join()).toMatch(/invoiceHash/);
  });
});
