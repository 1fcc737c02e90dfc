import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { createSelfSignedCertificate } from '@ksef-bridge/ksef-client';
import { withTransaction } from '@ksef-bridge/persistence';
import { parseKodIIUrl, verifyKodIIUrl } from '@ksef-bridge/qr-codes';
import { waitFor } from '@ksef-bridge/testing';
import { TokenCipher } from '../contexts/token-cipher';
import { randomNip, startSender, type SenderHarness } from '../test/sender-harness';
import { registerOfflineCertificate, removeOfflineCertificate } from './offline-certificate-commands';
import { OfflineCertificateRepository, offlineKeyContext } from './offline-certificate.repository';

// Offline certificates (KOD II) on a running sender with real PostgreSQL: registration sealed at rest, the internal
// signing endpoint, and its refusals. KSeF itself is not needed (nothing is sent), so its URL points nowhere.
jest.setTimeout(120_000);

describe('sender Offline certificates and KOD II signing', () => {
  let sender: SenderHarness;
  let nip: string;
  const rsa = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' } });
  const ec = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, keyType: 'ec' });
  const invoice = Buffer.from('<Faktura><Fa><P_1>2026-01-15</P_1></Fa></Faktura>');
  const invoiceHash = createHash('sha256').update(invoice).digest('base64');

  const register = (forNip: string, tenantId: string, pair: { certificatePem: string; privateKeyPem: string }, passphrase?: string) =>
    withTransaction(sender.dataSource, (m) => registerOfflineCertificate(m, 'sender', sender.cipher, { nip: forNip, tenantId, ...pair, passphrase }));
  const sign = async (forNip: string, body: Record<string, unknown>, bearer: string | null = sender.documents.token) => {
    const res = await fetch(`${sender.service.url}/internal/v1/ksef-contexts/${forNip}/kod-ii`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sender = await startSender({ ksefBaseUrl: 'http://127.0.0.1:9' });
    nip = randomNip();
    await sender.registerContext(nip, 'tenant-a', '20250101-EC-1|nip-x|token');
  });
  afterAll(async () => {
    await sender?.close();
  });

  it('stores the certificate with its key sealed: the row holds neither the PEM key nor its bytes', async () => {
    const info = await register(nip, 'tenant-a', rsa);
    expect(info).toMatchObject({ contextNip: nip, algorithm: 'RSASSA-PSS', serial: expect.stringMatching(/^[0-9A-F]+$/) });
    expect(info).not.toHaveProperty('privateKeyPem');

    const [row] = await sender.dataSource.query(`SELECT * FROM sender.offline_certificates WHERE context_nip = $1`, [nip]);
    const keyBody = rsa.privateKeyPem.replace(/-----[A-Z ]+-----|\s/g, '');
    const dump = JSON.stringify(row) + Object.values(row as Record<string, unknown>).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') + v.toString('base64') : String(v))).join('|');
    expect(dump).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain(keyBody.slice(0, 64));
    expect(dump).not.toContain(Buffer.from(keyBody, 'base64').subarray(40, 80).toString('latin1'));
    expect(row.certificate_pem).toBe(rsa.certificatePem.replace(/\r\n/g, '\n'));
    expect(row.master_key_id).toBe(sender.cipher.currentKeyId);

    // The key opens only with the Offline AAD: not as the context's auth credentials, not under another NIP.
    const stored = await new OfflineCertificateRepository('sender').find(sender.dataSource.manager, nip);
    expect(sender.cipher.decrypt(stored!.sealedKey, offlineKeyContext(nip))).toBe(rsa.privateKeyPem);
    expect(() => sender.cipher.decrypt(stored!.sealedKey, nip)).toThrow();
    expect(() => sender.cipher.decrypt(stored!.sealedKey, offlineKeyContext(randomNip()))).toThrow();
  });

  it('signs the KOD II link with the stored key: the link verifies against the certificate and names this invoice', async () => {
    await register(nip, 'tenant-a', rsa);
    const { status, body } = await sign(nip, { tenantId: 'tenant-a', sellerNip: '5265877635', invoiceHash, environment: 'test' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ caption: 'CERTYFIKAT', algorithm: 'RSASSA-PSS' });
    const url = body.url as string;
    const serial = body.certificateSerial as string;
    expect(url.startsWith(`https://qr-test.ksef.mf.gov.pl/certificate/Nip/${nip}/5265877635/${serial}/${createHash('sha256').update(invoice).digest('base64url')}/`)).toBe(true);
    expect(verifyKodIIUrl(url, rsa.certificatePem, { invoice })).toMatchObject({ valid: true, algorithm: 'RSASSA-PSS' });
    expect(verifyKodIIUrl(url, ec.certificatePem).valid).toBe(false);
    expect(JSON.stringify(body)).not.toContain('PRIVATE');

    const production = await sign(nip, { tenantId: 'tenant-a', sellerNip: '5265877635', invoiceHash });
    expect((production.body.url as string).startsWith('https://qr.ksef.mf.gov.pl/certificate/')).toBe(true);
  });

  it('replaces the certificate (an EC P-256 one): later links carry its serial and its signature', async () => {
    await register(nip, 'tenant-a', ec);
    const { status, body } = await sign(nip, { tenantId: 'tenant-a', sellerNip: '5265877635', invoiceHash });
    expect(status).toBe(200);
    expect(body.algorithm).toBe('ECDSA-P256');
    expect(verifyKodIIUrl(body.url as string, ec.certificatePem, { invoice })).toMatchObject({ valid: true });
    expect(parseKodIIUrl(body.url as string).certificateSerial).toBe(body.certificateSerial);
    const count = await sender.dataSource.query(`SELECT count(*)::int AS n FROM sender.offline_certificates WHERE context_nip = $1`, [nip]);
    expect(count[0].n).toBe(1);
  });

  it('refuses registrations that would not work and stores nothing', async () => {
    const fresh = randomNip();
    await expect(register(fresh, 'tenant-a', rsa)).rejects.toMatchObject({ code: 'KSEF_CONTEXT_UNKNOWN' });
    await sender.registerContext(fresh, 'tenant-b', '20250101-EC-1|nip-y|token');
    await expect(register(fresh, 'tenant-a', rsa)).rejects.toMatchObject({ code: 'KSEF_CONTEXT_OTHER_TENANT' });
    await expect(register(fresh, 'tenant-b', { certificatePem: rsa.certificatePem, privateKeyPem: ec.privateKeyPem })).rejects.toMatchObject({ code: 'OFFLINE_KEY_MISMATCH' });
    const weak = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, modulusLength: 1024 });
    await expect(register(fresh, 'tenant-b', weak)).rejects.toMatchObject({ code: 'OFFLINE_KEY_UNSUPPORTED' });
    expect(await sender.dataSource.query(`SELECT 1 FROM sender.offline_certificates WHERE context_nip = $1`, [fresh])).toHaveLength(0);
  });

  it('answers the signing endpoint with clear refusals', async () => {
    const body = { tenantId: 'tenant-a', sellerNip: '5265877635', invoiceHash };
    expect(await sign(nip, body, null)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await sign(nip, { ...body, invoiceHash: 'abc' })).toMatchObject({ status: 400, body: { code: 'REQUEST_INVALID' } });
    // Another tenant's context answers like an unknown one.
    expect(await sign(nip, { ...body, tenantId: 'tenant-b' })).toMatchObject({ status: 404, body: { code: 'KSEF_CONTEXT_UNKNOWN' } });
    expect(await sign(randomNip(), body)).toMatchObject({ status: 404, body: { code: 'KSEF_CONTEXT_UNKNOWN' } });

    const bare = randomNip();
    await sender.registerContext(bare, 'tenant-a', '20250101-EC-1|nip-z|token');
    expect(await sign(bare, body)).toMatchObject({ status: 404, body: { code: 'OFFLINE_CERTIFICATE_MISSING', retriable: false } });

    await register(bare, 'tenant-a', rsa);
    expect((await sign(bare, body)).status).toBe(200);
    await sender.dataSource.query(`UPDATE sender.offline_certificates SET valid_from = now() - interval '30 days', valid_to = now() - interval '1 day' WHERE context_nip = $1`, [bare]);
    const expired = await sign(bare, body);
    expect(expired).toMatchObject({ status: 409, body: { code: 'OFFLINE_CERTIFICATE_EXPIRED', details: { serial: expect.any(String), validTo: expect.any(String) } } });

    expect(await withTransaction(sender.dataSource, (m) => removeOfflineCertificate(m, 'sender', { nip: bare, tenantId: 'tenant-a' }))).toBe(true);
    expect(await sign(bare, body)).toMatchObject({ status: 404, body: { code: 'OFFLINE_CERTIFICATE_MISSING' } });
    expect(await withTransaction(sender.dataSource, (m) => removeOfflineCertificate(m, 'sender', { nip: bare, tenantId: 'tenant-a' }))).toBe(false);
  });

  it('re-wraps the Offline keys under a new master key (rotation), the key still opening', async () => {
    const rotated = new TokenCipher(randomBytes(32), [sender.masterKey]);
    const repository = new OfflineCertificateRepository('sender');
    const count = await withTransaction(sender.dataSource, (m) => repository.rewrapAll(m, rotated));
    expect(count).toBeGreaterThanOrEqual(1);
    const stored = await repository.find(sender.dataSource.manager, nip);
    expect(stored!.sealedKey.masterKeyId).toBe(rotated.currentKeyId);
    expect(rotated.decrypt(stored!.sealedKey, offlineKeyContext(nip))).toBe(ec.privateKeyPem);
  });

  it('reports on /metrics how long the certificate of each context stays valid, and the offline contexts without a valid one', async () => {
    const tenant = `tenant-m-${randomUUID().slice(0, 8)}`;
    const [covered, uncovered] = [randomNip(), randomNip()];
    await sender.registerContext(covered, tenant, '20250101-EC-1|nip-m|token');
    await sender.registerContext(uncovered, tenant, '20250101-EC-1|nip-n|token');
    // A year of validity (the helper's default, 30 days, would count as expiring soon from the start).
    const yearRsa = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, validDays: 365 });
    const yearEc = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, keyType: 'ec', validDays: 365 });
    await register(covered, tenant, yearRsa);
    // An offline invoice of `uncovered` not yet in KSeF (its next attempt far away: the scheduler leaves it alone).
    const offlineJob = (forNip: string) =>
      sender.dataSource.query(
        `INSERT INTO sender.send_jobs (invoice_id, tenant_id, erp_document_id, context_nip, form, document_sha256, document_size, state, next_attempt_at, offline_mode)
         VALUES ($1, $2, $3, $4, 'FA(3)', $5, 100, 'QUEUED', now() + interval '1 day', 'offline24')`,
        [randomUUID(), tenant, `ERP-${randomUUID().slice(0, 8)}`, forNip, 'a'.repeat(64)],
      );
    await offlineJob(uncovered);

    const scrape = async () => (await fetch(`${sender.service.url}/metrics`)).text();
    const value = (text: string, name: string, labels: string) => {
      const m = new RegExp(`^${name}\\{${labels},service="sender"\\} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const expiry = (text: string) => value(text, 'ksef_sender_offline_certificate_expiry_seconds', `tenant="${tenant}",context_nip="${covered}"`);
    const without = (text: string) => value(text, 'ksef_sender_offline_contexts_without_valid_certificate', `tenant="${tenant}"`);
    /** The label-less totals the alerts read (other tests of this file have contexts too: compared with a baseline). */
    const totals = (text: string) => Object.fromEntries(
      (['certificates_expiring_soon', 'certificates_expired', 'contexts_without_valid_certificate'] as const).map((k) => {
        const m = new RegExp(`^ksef_sender_offline_${k}_overall\\{service="sender"\\} (\\S+)$`, 'm').exec(text);
        return [k, m ? Number(m[1]) : NaN];
      }),
    );

    const notAfter = new Date(new X509Certificate(yearRsa.certificatePem).validTo).getTime();
    let text = await waitFor(async () => { const t = await scrape(); return expiry(t) !== undefined && without(t) === 1 ? t : undefined; }, { timeoutMs: 10_000, what: 'the expiry gauges' });
    const expected = (notAfter - Date.now()) / 1000;
    expect(expiry(text)).toBeGreaterThan(expected - 30);
    expect(expiry(text)).toBeLessThanOrEqual(expected + 1);
    expect(text).not.toContain(`context_nip="${uncovered}"`);
    const base = totals(text);
    expect(base.contexts_without_valid_certificate).toBeGreaterThanOrEqual(1);

    // The certificate expired yesterday and its context issues offline too: negative seconds, two contexts uncovered.
    await sender.dataSource.query(`UPDATE sender.offline_certificates SET valid_from = now() - interval '30 days', valid_to = now() - interval '1 day' WHERE context_nip = $1`, [covered]);
    await offlineJob(covered);
    text = await waitFor(async () => { const t = await scrape(); return without(t) === 2 ? t : undefined; }, { timeoutMs: 10_000, what: 'both contexts uncovered' });
    expect(expiry(text)).toBeLessThanOrEqual(-86_400);
    expect(expiry(text)).toBeGreaterThan(-86_400 - 60);
    expect(totals(text)).toEqual({ ...base, certificates_expired: base.certificates_expired + 1, contexts_without_valid_certificate: base.contexts_without_valid_certificate + 1 });

    // A new certificate for `uncovered`; `covered` removed: its series goes, one context stays uncovered.
    await register(uncovered, tenant, yearEc);
    await withTransaction(sender.dataSource, (m) => removeOfflineCertificate(m, 'sender', { nip: covered, tenantId: tenant }));
    text = await waitFor(async () => { const t = await scrape(); return expiry(t) === undefined && without(t) === 1 ? t : undefined; }, { timeoutMs: 10_000, what: 'the series after replace and removal' });
    expect(value(text, 'ksef_sender_offline_certificate_expiry_seconds', `tenant="${tenant}",context_nip="${uncovered}"`)).toBeGreaterThan(0);
    expect(totals(text)).toEqual(base);

    // The new one ends in 10 days: it counts as expiring soon (the warning alert's total).
    await sender.dataSource.query(`UPDATE sender.offline_certificates SET valid_to = now() + interval '10 days' WHERE context_nip = $1`, [uncovered]);
    text = await waitFor(async () => { const t = await scrape(); return totals(t).certificates_expiring_soon === base.certificates_expiring_soon + 1 ? t : undefined; }, { timeoutMs: 10_000, what: 'the certificate expiring soon' });
    expect(totals(text)).toEqual({ ...base, certificates_expiring_soon: base.certificates_expiring_soon + 1 });

    // A disabled context issues nothing: it leaves both families (the tenant then has no context left in them).
    await sender.dataSource.query(`UPDATE sender.ksef_contexts SET enabled = false WHERE nip = ANY($1)`, [[covered, uncovered]]);
    text = await waitFor(async () => { const t = await scrape(); return !new RegExp(`^ksef_sender_offline_(certificate_expiry_seconds|contexts_without_valid_certificate)\\{tenant="${tenant}"`, 'm').test(t) ? t : undefined; }, { timeoutMs: 10_000, what: 'the series of disabled contexts gone' });
    expect(text).toContain('# TYPE ksef_sender_offline_certificate_expiry_seconds gauge');
    expect(totals(text)).toEqual({ ...base, contexts_without_valid_certificate: base.contexts_without_valid_certificate - 1 });
  });
});
