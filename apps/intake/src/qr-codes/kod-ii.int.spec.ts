import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createSelfSignedCertificate, type KsefEnvironment } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { kodIICode, parseKodIIUrl, verifyKodIIUrl } from '@ksef-bridge/qr-codes';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

/** Decodes a PNG with jsQR (independent of the encoder under test). */
function decode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/**
 * The sender's `POST /internal/v1/ksef-contexts/{nip}/kod-ii` as intake sees it: bearer, tenant-owned contexts, each
 * with an Offline certificate, signing with libs/qr-codes' `kodIICode` exactly as the sender's KodIISigner does. A
 * stand-in on purpose (an app may not import another app): the sender's own int test covers its real endpoint, its
 * storage and its refusals; this one is about intake's route, the bytes it hashes and how it draws the link.
 */
interface SignerStandIn {
  url: string;
  token: string;
  requests: Array<Record<string, unknown>>;
  /** nip → owner tenant, certificate (or a refusal the sender would answer). */
  contexts: Map<string, { tenantId: string; pair?: { certificatePem: string; privateKeyPem: string }; refuse?: { status: number; code: string } }>;
  close(): Promise<void>;
}

async function startSignerStandIn(): Promise<SignerStandIn> {
  const token = randomBytes(24).toString('hex');
  const requests: Array<Record<string, unknown>> = [];
  const contexts: SignerStandIn['contexts'] = new Map();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const match = /^\/internal\/v1\/ksef-contexts\/(\d{10})\/kod-ii$/.exec(req.url ?? '');
      if (req.headers.authorization !== `Bearer ${token}`) return answer(401, { code: 'UNAUTHENTICATED', message: 'no', retriable: false });
      if (!match || req.method !== 'POST') return answer(404, { code: 'HTTP_404', message: 'no route', retriable: false });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { tenantId: string; sellerNip: string; invoiceHash: string; environment: KsefEnvironment };
      requests.push({ nip: match[1], ...body });
      const context = contexts.get(match[1]);
      if (!context || context.tenantId !== body.tenantId) return answer(404, { code: 'KSEF_CONTEXT_UNKNOWN', message: 'unknown', retriable: true });
      if (context.refuse) return answer(context.refuse.status, { code: context.refuse.code, message: 'refused', retriable: false, details: { serial: '01AB' } });
      if (!context.pair) return answer(404, { code: 'OFFLINE_CERTIFICATE_MISSING', message: 'none', retriable: false });
      const code = kodIICode({ environment: body.environment, contextType: 'Nip', contextValue: match[1], sellerNip: body.sellerNip, invoiceHash: body.invoiceHash, certificate: context.pair.certificatePem, privateKey: context.pair.privateKeyPem });
      return answer(200, { ...code, certificateSerial: parseKodIIUrl(code.url).certificateSerial, algorithm: 'RSASSA-PSS', certificateValidTo: new Date().toISOString() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    requests,
    contexts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// KOD II over HTTP against a real intake (own database, real PostgreSQL and Kafka) and a signer speaking the sender's API.
describe('GET /v1/invoices/:id/qr/kod-ii[.png|.svg|.json]', () => {
  let intake: IntakeHarness;
  let signer: SignerStandIn;
  let key: string;
  let otherKey: string;
  const SELLER = '5265877635';
  const offline = createSelfSignedCertificate({ subject: { type: 'seal', nip: SELLER } });

  beforeAll(async () => {
    signer = await startSignerStandIn();
    intake = await startIntake({ sender: { url: signer.url, token: signer.token, timeoutMs: 3_000 } });
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('other');
    signer.contexts.set(SELLER, { tenantId: 'acme', pair: offline });
  }, 60_000);
  afterAll(async () => {
    await intake?.close();
    await signer?.close();
  }, 60_000);

  const submit = async (erpDocumentId: string, xml: string, marking?: Record<string, unknown>): Promise<string> => {
    const res = await fetch(`${intake.url}/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': `k-${erpDocumentId}` },
      body: JSON.stringify({ erpDocumentId, xml, ...(marking ? { offline: marking } : {}) }),
    });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${JSON.stringify(body)}`);
    return body.id;
  };
  const get = (path: string, headers: Record<string, string> = {}, apiKey: string | null = key) =>
    fetch(`${intake.url}${path}`, { headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers } });
  const invoice = (n: string, seller = SELLER) => buildSampleInvoice({ sellerNip: seller, invoiceNumber: `FV/K2/${n}`, issueDate: '2026-01-15' });

  it('serves a PNG that decodes to a KOD II link signed for the exact stored bytes, verifiable with the certificate', async () => {
    const xml = invoice('1');
    const id = await submit('FV/K2/1', xml, { mode: 'offline24' });
    const bytes = Buffer.from(xml, 'utf8');

    const res = await get(`/v1/invoices/${id}/qr/kod-ii.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-ksef-qr-caption')).toBe('CERTYFIKAT');
    const link = decode(Buffer.from(await res.arrayBuffer()));
    expect(link).toBe(res.headers.get('x-ksef-qr-url'));
    expect(link!.startsWith(`https://qr.ksef.mf.gov.pl/certificate/Nip/${SELLER}/${SELLER}/`)).toBe(true);
    expect(verifyKodIIUrl(link!, offline.certificatePem, { invoice: bytes })).toMatchObject({ valid: true, algorithm: 'RSASSA-PSS' });
    expect(verifyKodIIUrl(link!, offline.certificatePem, { invoice: Buffer.concat([bytes, Buffer.from('\n')]) }).valid).toBe(false);
    // What intake asked the sender for: its tenant, the seller, SHA-256 of the stored bytes; never anything secret.
    expect(signer.requests.at(-1)).toEqual({ nip: SELLER, tenantId: 'acme', sellerNip: SELLER, invoiceHash: createHash('sha256').update(bytes).digest('base64'), environment: 'production' });
  });

  it('negotiates /qr/kod-ii by Accept (PNG by default, SVG, JSON) and honours ?environment=', async () => {
    const id = await submit('FV/K2/2', invoice('2'), { mode: 'failure', periodEndedAt: '2026-01-15T14:00:00+01:00' });
    const png = await get(`/v1/invoices/${id}/qr/kod-ii?environment=test&scale=4`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const link = decode(Buffer.from(await png.arrayBuffer()))!;
    expect(link.startsWith('https://qr-test.ksef.mf.gov.pl/certificate/')).toBe(true);
    expect(verifyKodIIUrl(link, offline.certificatePem, { invoice: invoice('2') }).valid).toBe(true);

    const svg = await get(`/v1/invoices/${id}/qr/kod-ii`, { accept: 'image/svg+xml' });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('>CERTYFIKAT</text>');
    expect(await (await get(`/v1/invoices/${id}/qr/kod-ii.svg`)).text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    for (const res of [await get(`/v1/invoices/${id}/qr/kod-ii`, { accept: 'application/json' }), await get(`/v1/invoices/${id}/qr/kod-ii.json`)]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { url: string; caption: string; certificateSerial: string };
      expect(body).toMatchObject({ caption: 'CERTYFIKAT', certificateSerial: parseKodIIUrl(body.url).certificateSerial });
      expect(verifyKodIIUrl(body.url, offline.certificatePem, { invoice: invoice('2') }).valid).toBe(true);
    }
  });

  it('refuses invoices that carry no KOD II: online, total failure, never in KSeF; 404 for others and unknown ids', async () => {
    const online = await submit('FV/K2/3', invoice('3'));
    const notOffline = await get(`/v1/invoices/${online}/qr/kod-ii.png`);
    expect(notOffline.status).toBe(409);
    expect(await notOffline.json()).toMatchObject({ error: { code: 'KOD_II_NOT_APPLICABLE' } });

    const total = await submit('FV/K2/4', invoice('4'), { mode: 'total-failure' });
    for (const path of [`/v1/invoices/${total}/qr/kod-ii`, `/v1/invoices/${total}/qr/kod-i.png`]) {
      const res = await get(path);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: { code: 'QR_CODE_NOT_AVAILABLE', details: { offlineMode: 'total-failure' } } });
    }

    const rejected = await submit('FV/K2/5', invoice('5'), { mode: 'offline24' });
    await intake.dataSource.query(`UPDATE intake.invoices SET state = 'INVALID' WHERE id = $1`, [rejected]);
    expect(await (await get(`/v1/invoices/${rejected}/qr/kod-ii.svg`)).json()).toMatchObject({ error: { code: 'QR_CODE_NOT_AVAILABLE', details: { state: 'INVALID' } } });

    const noFacts = await submit('FV/K2/6', '<Faktura><Fa><P_2>FV/K2/6</P_2></Fa></Faktura>', { mode: 'offline24' });
    expect((await get(`/v1/invoices/${noFacts}/qr/kod-ii.png`)).status).toBe(422);

    const mine = await submit('FV/K2/7', invoice('7'), { mode: 'offline24' });
    expect((await get(`/v1/invoices/${mine}/qr/kod-ii.png`, {}, otherKey)).status).toBe(404);
    expect((await get('/v1/invoices/00000000-0000-4000-8000-000000000000/qr/kod-ii')).status).toBe(404);
    expect((await get(`/v1/invoices/${mine}/qr/kod-ii.png`, {}, null)).status).toBe(401);
    expect(await (await get(`/v1/invoices/${mine}/qr/kod-ii.png?environment=staging`)).json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });

  it("passes the sender's configuration refusals on as 409 with their codes", async () => {
    const cases: Array<[string, Parameters<SignerStandIn['contexts']['set']>[1] | undefined, string]> = [
      ['5261040828', undefined, 'KSEF_CONTEXT_UNKNOWN'],
      ['1111111111', { tenantId: 'other' }, 'KSEF_CONTEXT_UNKNOWN'],
      ['7740001454', { tenantId: 'acme' }, 'OFFLINE_CERTIFICATE_MISSING'],
      ['5213017228', { tenantId: 'acme', refuse: { status: 409, code: 'OFFLINE_CERTIFICATE_EXPIRED' } }, 'OFFLINE_CERTIFICATE_EXPIRED'],
    ];
    for (const [nip, context, code] of cases) {
      if (context) signer.contexts.set(nip, context);
      const id = await submit(`FV/K2/${code}/${nip}`, invoice(`${code}/${nip}`, nip), { mode: 'offline24' });
      const res = await get(`/v1/invoices/${id}/qr/kod-ii.png`);
      expect({ nip, status: res.status }).toEqual({ nip, status: 409 });
      expect(await res.json()).toMatchObject({ error: { code, details: { contextNip: nip } } });
    }
  });

  it('answers 503 KOD_II_SIGNER_UNAVAILABLE when the sender fails, refuses the token or is down', async () => {
    signer.contexts.set('9876543210', { tenantId: 'acme', refuse: { status: 500, code: 'INTERNAL' } });
    const failing = await submit('FV/K2/8', invoice('8', '9876543210'), { mode: 'offline24' });
    expect(await (await get(`/v1/invoices/${failing}/qr/kod-ii.png`)).json()).toMatchObject({ error: { code: 'KOD_II_SIGNER_UNAVAILABLE' } });

    const id = await submit('FV/K2/9', invoice('9'), { mode: 'offline24' });
    const wrongToken = await startIntake({ sender: { url: signer.url, token: 'x'.repeat(32), timeoutMs: 3_000 } });
    try {
      const otherTenantKey = await wrongToken.tenant('acme');
      const res = await fetch(`${wrongToken.url}/v1/invoices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${otherTenantKey}`, 'idempotency-key': 'w' }, body: JSON.stringify({ erpDocumentId: 'W/1', xml: invoice('W1'), offline: { mode: 'offline24' } }) });
      const wid = ((await res.json()) as { id: string }).id;
      const refused = await fetch(`${wrongToken.url}/v1/invoices/${wid}/qr/kod-ii.png`, { headers: { authorization: `Bearer ${otherTenantKey}` } });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { code: 'KOD_II_SIGNER_UNAVAILABLE' } });
    } finally {
      await wrongToken.close();
    }

    await signer.close();
    const down = await get(`/v1/invoices/${id}/qr/kod-ii.png`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { code: 'KOD_II_SIGNER_UNAVAILABLE', message: expect.stringContaining('did not answer') } });
  });
});
