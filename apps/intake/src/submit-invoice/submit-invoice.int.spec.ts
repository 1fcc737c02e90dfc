import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

// The HTTP door against a real intake (own database, random topics): idempotency, conflicts, precise errors,
// tenant isolation, and the claim-check events through the outbox.
describe('POST /v1/invoices', () => {
  let intake: IntakeHarness;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    intake = await startIntake({ internalApiToken: 'internal-token-0123456789' });
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('other');
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const post = (body: unknown, headers: Record<string, string> = {}, apiKey = key) =>
    fetch(`${intake.url}/v1/invoices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers }, body: JSON.stringify(body) });
  const xml = (invoiceNumber: string, netAmount = 100) => buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber, netAmount, issueDate: '2026-01-15' });

  it('stores a new invoice as RECEIVED and publishes invoice.received with a claim check, not the XML', async () => {
    const received = await intake.collect(intake.topics.invoiceReceived);
    const statuses = await intake.collect(intake.topics.invoiceStatusChanged);
    const res = await post({ erpDocumentId: 'FV/2026/1', xml: xml('FV/2026/1'), metadata: { branch: 'WAW' } }, { 'idempotency-key': 'k-1' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; state: string; stateLabelPl: string; contentSha256: string };
    expect(body).toMatchObject({ state: 'RECEIVED', stateLabelPl: 'odebrana' });
    expect(res.headers.get('location')).toBe(`/v1/invoices/${body.id}`);

    await waitFor(() => received.of('invoice.received').find((e) => e.aggregateId === body.id), { what: 'invoice.received', timeoutMs: 30_000 });
    const event = received.of('invoice.received').find((e) => e.aggregateId === body.id)!;
    expect(event.tenant).toBe('acme');
    expect(event.payload).toMatchObject({ invoiceId: body.id, erpDocumentId: 'FV/2026/1', document: { invoiceId: body.id, sha256: body.contentSha256 } });
    expect(JSON.stringify(event.payload)).not.toContain('<Faktura');
    await waitFor(() => statuses.of('invoice.status-changed').find((e) => e.aggregateId === body.id), { what: 'status-changed', timeoutMs: 30_000 });

    // The claim check resolves to the exact bytes, for services holding the internal token only.
    const doc = await fetch(`${intake.url}/internal/v1/invoices/${body.id}/document`, { headers: { authorization: 'Bearer internal-token-0123456789' } });
    expect(doc.status).toBe(200);
    expect(doc.headers.get('x-content-sha256')).toBe(body.contentSha256);
    expect(await doc.text()).toBe(xml('FV/2026/1'));
    expect((await fetch(`${intake.url}/internal/v1/invoices/${body.id}/document`)).status).toBe(401);
  });

  it('returns the existing invoice for a repeated submission and refuses different content', async () => {
    const first = await post({ erpDocumentId: 'FV/2026/2', xml: xml('FV/2026/2') }, { 'idempotency-key': 'k-2' });
    const { id } = (await first.json()) as { id: string };
    const again = await post({ erpDocumentId: 'FV/2026/2', xml: xml('FV/2026/2') }, { 'idempotency-key': 'k-2' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(id);
    // Same document under a new key (e.g. an ERP restart lost its key): still the same invoice.
    const newKey = await post({ erpDocumentId: 'FV/2026/2', xml: xml('FV/2026/2') }, { 'idempotency-key': 'k-2b' });
    expect(newKey.status).toBe(200);

    const changed = await post({ erpDocumentId: 'FV/2026/2', xml: xml('FV/2026/2', 200) }, { 'idempotency-key': 'k-2c' });
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_CONFLICT', details: { existingInvoiceId: id } } });
    const reusedKey = await post({ erpDocumentId: 'FV/2026/3', xml: xml('FV/2026/3') }, { 'idempotency-key': 'k-2' });
    expect(reusedKey.status).toBe(409);
    expect(((await reusedKey.json()) as { error: { message: string } }).error.message).toContain('FV/2026/2');
  });

  it('takes concurrent duplicates in exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => post({ erpDocumentId: 'FV/2026/race', xml: xml('FV/2026/race') }, { 'idempotency-key': 'k-race' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
  });

  it.each([
    ['not XML', { erpDocumentId: 'E/1', xml: 'hello, not xml' }, 400, 'XML_MALFORMED'],
    ['unclosed element', { erpDocumentId: 'E/2', xml: '<Faktura><Fa></Faktura>' }, 400, 'XML_MALFORMED'],
    ['a UTF-8 BOM', { erpDocumentId: 'E/3', xmlBase64: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a/>')]).toString('base64') }, 415, 'DOCUMENT_ENCODING'],
    ['Latin-2 bytes', { erpDocumentId: 'E/4', xmlBase64: Buffer.from([0x3c, 0x61, 0x3e, 0xb1, 0x3c, 0x2f, 0x61, 0x3e]).toString('base64') }, 415, 'DOCUMENT_ENCODING'],
    ['another declared encoding', { erpDocumentId: 'E/5', xml: '<?xml version="1.0" encoding="ISO-8859-2"?><a/>' }, 415, 'DOCUMENT_ENCODING'],
    ['no document id', { xml: '<a/>' }, 400, 'REQUEST_INVALID'],
    ['both xml and xmlBase64', { erpDocumentId: 'E/6', xml: '<a/>', xmlBase64: 'PGEvPg==' }, 400, 'REQUEST_INVALID'],
    ['an unknown field', { erpDocumentId: 'E/7', xml: '<a/>', extra: 1 }, 400, 'REQUEST_INVALID'],
  ])('refuses %s precisely', async (_what, body, status, code) => {
    const res = await post(body, { 'idempotency-key': `k-${code}-${JSON.stringify(body).length}` });
    expect(res.status).toBe(status);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('takes in the largest invoice KSeF accepts (3,000,000 bytes with attachments) through either encoding', async () => {
    const base = xml('FV/2026/big');
    const padded = (size: number) => base.replace('<SystemInfo>ksef-bridge</SystemInfo>', `<SystemInfo>ksef-bridge</SystemInfo><!--${'x'.repeat(size - Buffer.byteLength(base) - 7)}-->`);
    const big = padded(3_000_000);
    expect(Buffer.byteLength(big)).toBe(3_000_000);
    const asBase64 = await post({ erpDocumentId: 'FV/2026/big', xmlBase64: Buffer.from(big).toString('base64') }, { 'idempotency-key': 'k-big-1' });
    expect(asBase64.status).toBe(201);
    expect(await asBase64.json()).toMatchObject({ sizeBytes: 3_000_000 });
    const asText = await post({ erpDocumentId: 'FV/2026/big', xml: big }, { 'idempotency-key': 'k-big-2' });
    expect(asText.status).toBe(200);
  });

  it('refuses an oversized document with 413', async () => {
    const big = `<a>${'x'.repeat(3_000_001)}</a>`;
    const res = await post({ erpDocumentId: 'E/big', xml: big }, { 'idempotency-key': 'k-big' });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'DOCUMENT_TOO_LARGE' } });
    // Beyond the HTTP body limit the request never reaches the controller: fastify answers 413 in its own shape.
    const huge = await post({ erpDocumentId: 'E/huge', xml: 'x'.repeat(4_500_000) }, { 'idempotency-key': 'k-huge' });
    expect(huge.status).toBe(413);
  });

  it('requires an API key and an Idempotency-Key', async () => {
    expect((await post({ erpDocumentId: 'E/8', xml: '<a/>' }, { 'idempotency-key': 'k-8' }, 'ksb_' + 'x'.repeat(43))).status).toBe(401);
    const noKey = await fetch(`${intake.url}/v1/invoices`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: '{}' });
    expect(noKey.status).toBe(401);
    const noIdempotency = await post({ erpDocumentId: 'E/9', xml: '<a/>' });
    expect(noIdempotency.status).toBe(400);
    expect(await noIdempotency.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
  });

  it('answers as its OpenAPI document describes', async () => {
    const doc = (await (await fetch(`${intake.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown>; components: unknown };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/v1/invoices', '/v1/invoices/{id}', '/v1/invoices/{id}/qr/kod-i.png', '/v1/invoices/{id}/qr/kod-i.svg', '/v1/invoices/{id}/qr/kod-ii', '/v1/invoices/{id}/qr/kod-ii.json', '/v1/invoices/{id}/qr/kod-ii.png', '/v1/invoices/{id}/qr/kod-ii.svg', '/v1/invoices/{id}/upo']);
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'intake-api', components: doc.components });
    const check = (schema: string, value: unknown) => {
      const validate = ajv.compile({ $ref: `intake-api#/components/schemas/${schema}` });
      expect(validate(value) ? [] : validate.errors).toEqual([]);
    };
    const created = await post({ erpDocumentId: 'FV/2026/api', xml: xml('FV/2026/api') }, { 'idempotency-key': 'k-api' });
    const body = (await created.json()) as { id: string };
    check('Invoice', body);
    check('Invoice', await (await fetch(`${intake.url}/v1/invoices/${body.id}`, { headers: { 'x-api-key': key } })).json());
    check('Error', await (await post({ erpDocumentId: 'E/api', xml: 'nope' }, { 'idempotency-key': 'k-api-2' })).json());
  });

  it('counts submissions by outcome on /metrics', async () => {
    const text = await (await fetch(`${intake.url}/metrics`)).text();
    expect(text).toMatch(/ksef_intake_submissions_total\{[^}]*door="http",outcome="created",code=""[^}]*\} [1-9]/);
    expect(text).toMatch(/ksef_intake_submissions_total\{[^}]*door="http",outcome="existing",code=""[^}]*\} [1-9]/);
    expect(text).toMatch(/ksef_intake_submissions_total\{[^}]*door="http",outcome="refused",code="XML_MALFORMED"[^}]*\} [1-9]/);
  });

  it('shows an invoice with its history to its tenant only', async () => {
    const created = (await (await post({ erpDocumentId: 'FV/2026/4', xml: xml('FV/2026/4') }, { 'idempotency-key': 'k-4' })).json()) as { id: string };
    const mine = await fetch(`${intake.url}/v1/invoices/${created.id}`, { headers: { 'x-api-key': key } });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ id: created.id, state: 'RECEIVED', history: [{ to: 'RECEIVED', toLabelPl: 'odebrana', actor: 'intake:http' }] });
    const theirs = await fetch(`${intake.url}/v1/invoices/${created.id}`, { headers: { 'x-api-key': otherKey } });
    expect(theirs.status).toBe(404);
    const byDocument = await fetch(`${intake.url}/v1/invoices?erpDocumentId=${encodeURIComponent('FV/2026/4')}`, { headers: { 'x-api-key': key } });
    expect(await byDocument.json()).toMatchObject({ id: created.id, history: [{ to: 'RECEIVED' }] });
    expect((await fetch(`${intake.url}/v1/invoices?erpDocumentId=${encodeURIComponent('FV/2026/4')}`, { headers: { 'x-api-key': otherKey } })).status).toBe(404);
    // Another tenant may use the same ERP document id: it is a different invoice.
    const same = await post({ erpDocumentId: 'FV/2026/4', xml: xml('FV/2026/4') }, { 'idempotency-key': 'k-4' }, otherKey);
    expect(same.status).toBe(201);
    expect(((await same.json()) as { id: string }).id).not.toBe(created.id);
  });
});
