import { createHash } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { buildSampleInvoice, generateKsefNumber } from '@ksef-bridge/ksef-spec';
import { withTransaction } from '@ksef-bridge/persistence';
import { startIntake, type IntakeHarness } from '../test/intake-harness';
import { InvoiceRepository } from '../invoices/invoice.repository';

/** Decodes a PNG with jsQR (independent of the encoder under test). */
function decode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

// KOD I over HTTP against a real intake (own database): built from the stored XML, tenant-scoped, decoded back.
describe('GET /v1/invoices/:id/qr/kod-i.png|svg', () => {
  let intake: IntakeHarness;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    intake = await startIntake();
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('other');
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const submit = async (erpDocumentId: string, xml: string): Promise<string> => {
    const res = await fetch(`${intake.url}/v1/invoices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': `k-${erpDocumentId}` }, body: JSON.stringify({ erpDocumentId, xml }) });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${JSON.stringify(body)}`);
    return body.id;
  };
  const get = (path: string, apiKey: string | null = key) => fetch(`${intake.url}${path}`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });

  it('serves a PNG that decodes to the KOD I link of the exact stored bytes, captioned OFFLINE before a KSeF number', async () => {
    const xml = buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/QR/1', issueDate: '2026-01-15' });
    const id = await submit('FV/QR/1', xml);
    const expected = `https://qr.ksef.mf.gov.pl/invoice/5265877635/15-01-2026/${createHash('sha256').update(Buffer.from(xml, 'utf8')).digest('base64url')}`;

    const res = await get(`/v1/invoices/${id}/qr/kod-i.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-ksef-qr-url')).toBe(expected);
    expect(res.headers.get('x-ksef-qr-caption')).toBe('OFFLINE');
    expect(decode(Buffer.from(await res.arrayBuffer()))).toBe(expected);

    const test = await get(`/v1/invoices/${id}/qr/kod-i.png?environment=test&scale=3`);
    expect(decode(Buffer.from(await test.arrayBuffer()))).toBe(expected.replace('https://qr.', 'https://qr-test.'));

    const svg = await get(`/v1/invoices/${id}/qr/kod-i.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    const body = await svg.text();
    expect(body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(body).toContain('>OFFLINE</text>');
  });

  it('captions the KSeF number once intake recorded it', async () => {
    const xml = buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/QR/2', issueDate: '2026-01-15' });
    const id = await submit('FV/QR/2', xml);
    const ksefNumber = generateKsefNumber('5265877635', '20260115');
    const repository = new InvoiceRepository('intake');
    await withTransaction(intake.dataSource, (m) => repository.recordKsefNumber(m, id, { ksefNumber, acquisitionDate: '2026-01-15T10:00:00Z', duplicate: false }));

    const res = await get(`/v1/invoices/${id}/qr/kod-i.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ksef-qr-caption')).toBe(ksefNumber);
    expect(decode(Buffer.from(await res.arrayBuffer()))).toBe(res.headers.get('x-ksef-qr-url'));
    expect(await (await get(`/v1/invoices/${id}/qr/kod-i.svg`)).text()).toContain(`>${ksefNumber}</text>`);
  });

  it("answers 404 for another tenant's invoice and unknown ids, 401 without a key", async () => {
    const id = await submit('FV/QR/3', buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/QR/3', issueDate: '2026-01-15' }));
    const other = await get(`/v1/invoices/${id}/qr/kod-i.png`, otherKey);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
    expect((await get('/v1/invoices/00000000-0000-4000-8000-000000000000/qr/kod-i.svg')).status).toBe(404);
    expect((await get('/v1/invoices/not-a-uuid/qr/kod-i.png')).status).toBe(404);
    expect((await get(`/v1/invoices/${id}/qr/kod-i.png`, null)).status).toBe(401);
  });

  it('explains what is wrong instead of printing a wrong code', async () => {
    const id = await submit('FV/QR/4', buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/QR/4', issueDate: '2026-01-15' }));
    expect(await (await get(`/v1/invoices/${id}/qr/kod-i.png?environment=staging`)).json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    expect((await get(`/v1/invoices/${id}/qr/kod-i.png?scale=0`)).status).toBe(400);

    // Intake takes in any well-formed XML (the validator judges the schema later): without P_1 there is no KOD I.
    const noFacts = await submit('FV/QR/5', '<Faktura><Fa><P_2>FV/QR/5</P_2></Fa></Faktura>');
    const res = await get(`/v1/invoices/${noFacts}/qr/kod-i.png`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'QR_CODE_FACTS_MISSING', message: expect.stringContaining('seller NIP') } });

    // An invoice the validator refused will never be in KSeF.
    await intake.dataSource.query(`UPDATE intake.invoices SET state = 'INVALID' WHERE id = $1`, [noFacts]);
    const invalid = await get(`/v1/invoices/${noFacts}/qr/kod-i.svg`);
    expect(invalid.status).toBe(409);
    expect(await invalid.json()).toMatchObject({ error: { code: 'QR_CODE_NOT_AVAILABLE', details: { state: 'INVALID' } } });
  });
});
