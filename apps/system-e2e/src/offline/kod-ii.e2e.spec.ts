import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createSelfSignedCertificate } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice, completeNip } from '@ksef-bridge/ksef-spec';
import { verifyKodIIUrl } from '@ksef-bridge/qr-codes';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem } from '../support/pipeline-system';

// Issue #7, KOD II end to end with the built services as processes: the operator registers the context's Offline
// certificate with the sender's CLI (an encrypted key, its passphrase on stdin), the ERP submits an offline invoice,
// intake serves KOD II signed by the REAL sender over its internal API (SENDER_URL, INTERNAL_API_TOKEN); the PNG is
// decoded with jsQR and the link verified against the certificate and the exact submitted bytes, also once KSeF (the
// simulator) accepted the invoice. Refusals: a wrong key at registration, an online invoice, a removed certificate.
jest.setTimeout(240_000);

const NIP = completeNip('777000222')!;
const issueDate = new Date().toISOString().slice(0, 10);

function decode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('KOD II of an offline invoice across intake and the sender (built apps)', () => {
  const system = new PipelineSystem({ contexts: [NIP] });
  const dir = mkdtempSync(join(tmpdir(), 'kod-ii-e2e-'));
  const offline = createSelfSignedCertificate({ subject: { type: 'seal', nip: NIP }, keyType: 'ec' });
  const other = createSelfSignedCertificate({ subject: { type: 'seal', nip: NIP } });
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const get = (path: string) => fetch(`${system.urls.intake}${path}`, { headers: { authorization: `Bearer ${system.apiKey}` } });

  beforeAll(async () => {
    await system.start();
  }, 300_000);
  afterAll(async () => {
    await system.stop();
  }, 120_000);

  it('refuses a key of another certificate at registration and stores nothing', async () => {
    const run = () => system.command('sender', ['register-offline-certificate', '--nip', NIP, '--tenant', system.tenant, '--certificate', file('c.pem', offline.certificatePem), '--key', file('wrong.pem', other.privateKeyPem)]);
    let output = '';
    try {
      run();
    } catch (error) {
      const failed = error as { stdout?: Buffer; stderr?: Buffer; message: string };
      output = `${failed.message}${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`;
    }
    expect(output).toMatch(/OFFLINE_KEY_MISMATCH|does not belong to the certificate/);
    expect(await system.query(`SELECT 1 FROM sender.offline_certificates`)).toHaveLength(0);
  });

  it('serves KOD II signed by the sender with the registered certificate, verifiable against it and the exact bytes', async () => {
    const encrypted = createPrivateKey(offline.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'e2e passphrase' }).toString();
    system.command('sender', ['register-offline-certificate', '--nip', NIP, '--tenant', system.tenant, '--certificate', file('offline.pem', offline.certificatePem), '--key', file('offline-key.pem', encrypted), '--passphrase', '-'], 'e2e passphrase\n');
    const [row] = (await system.query(`SELECT * FROM sender.offline_certificates WHERE context_nip = $1`, [NIP])) as Array<Record<string, unknown>>;
    expect(row).toBeDefined();
    expect(JSON.stringify(row)).not.toMatch(/PRIVATE KEY|e2e passphrase/);

    const xml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV/KOD2/1', issueDate });
    const submitted = await system.post('FV/KOD2/1', Buffer.from(xml, 'utf8'), {}, undefined, { offline: { mode: 'offline24' } });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;

    const res = await get(`/v1/invoices/${id}/qr/kod-ii.png?environment=test`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ksef-qr-caption')).toBe('CERTYFIKAT');
    const link = decode(Buffer.from(await res.arrayBuffer()))!;
    expect(link.startsWith(`https://qr-test.ksef.mf.gov.pl/certificate/Nip/${NIP}/${NIP}/`)).toBe(true);
    expect(verifyKodIIUrl(link, offline.certificatePem, { invoice: Buffer.from(xml, 'utf8') })).toMatchObject({ valid: true, algorithm: 'ECDSA-P256' });
    expect(verifyKodIIUrl(link, other.certificatePem).valid).toBe(false);

    // KSeF accepts the offline invoice; its KOD II stays what the printout carries.
    await waitFor(async () => (await system.invoice(id)).state === 'ACCEPTED' || undefined, { timeoutMs: 120_000, intervalMs: 500, what: 'offline invoice ACCEPTED' });
    const json = (await (await get(`/v1/invoices/${id}/qr/kod-ii.json`)).json()) as { url: string; caption: string };
    expect(json.caption).toBe('CERTYFIKAT');
    expect(verifyKodIIUrl(json.url, offline.certificatePem, { invoice: Buffer.from(xml, 'utf8') }).valid).toBe(true);
  });

  it('refuses an online invoice, and an offline one once the certificate is removed', async () => {
    const online = await system.post('FV/KOD2/2', buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV/KOD2/2', issueDate }));
    const notOffline = await get(`/v1/invoices/${online.body.id}/qr/kod-ii`);
    expect(notOffline.status).toBe(409);
    expect(await notOffline.json()).toMatchObject({ error: { code: 'KOD_II_NOT_APPLICABLE' } });

    system.command('sender', ['remove-offline-certificate', '--nip', NIP, '--tenant', system.tenant]);
    const id = (await system.post('FV/KOD2/3', buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV/KOD2/3', issueDate }), {}, undefined, { offline: { mode: 'offline24' } })).body.id;
    const missing = await get(`/v1/invoices/${id}/qr/kod-ii.svg`);
    expect(missing.status).toBe(409);
    expect(await missing.json()).toMatchObject({ error: { code: 'OFFLINE_CERTIFICATE_MISSING', details: { contextNip: NIP } } });
  });
});
