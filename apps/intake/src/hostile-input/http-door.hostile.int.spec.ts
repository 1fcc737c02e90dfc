import { randomUUID } from 'node:crypto';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { startIntake, type IntakeHarness } from '../test/intake-harness';
import { ASCII_INJECTION_KEYS, INJECTION_STRINGS } from './injection-strings';

// Hostile requests at the HTTP door of a real intake (own database, random topics, shared Kafka and PostgreSQL). Each
// gets a precise error code; nothing is executed, reflected as HTML, leaked across tenants, or lost.
describe('HTTP door under hostile input', () => {
  let intake: IntakeHarness;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    intake = await startIntake({ maxDocumentBytes: 200_000 });
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('rival');
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const xml = (n: string) => buildSampleInvoice({ sellerNip: '5252487317', invoiceNumber: n, issueDate: '2026-10-05' });
  const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => fetch(`${intake.url}${path}`, init);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    request('/v1/invoices', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': randomUUID(), ...headers }, body: JSON.stringify(body) });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const count = async () => Number((await intake.dataSource.query(`SELECT count(*)::int AS n FROM intake.invoices`))[0].n);

  describe('API keys', () => {
    const attempt = (headers: Record<string, string>) => request('/v1/invoices', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-auth', ...headers }, body: JSON.stringify({ erpDocumentId: 'A/1', xml: xml('A/1') }) });

    it.each([
      ['no key at all', {}, 'UNAUTHENTICATED'],
      ['a Basic credential instead of a key', { authorization: 'Basic YWRtaW46YWRtaW4=' }, 'UNAUTHENTICATED'],
      ['an empty bearer', { authorization: 'Bearer ' }, 'UNAUTHENTICATED'],
      ['a forged key of the right shape', { authorization: `Bearer ksb_${'A'.repeat(43)}` }, 'UNKNOWN_TENANT'],
      ['a key with SQL injection', { authorization: `Bearer ksb_' OR '1'='1' --` }, 'UNKNOWN_TENANT'],
      ['X-Api-Key with SQL injection', { 'x-api-key': `' OR 1=1; --` }, 'UNKNOWN_TENANT'],
      ['a 10 kB key', { 'x-api-key': `ksb_${'A'.repeat(10_000)}` }, 'UNKNOWN_TENANT'],
    ])('refuses %s with 401 %s and takes nothing in', async (_what, headers, code) => {
      const before = await count();
      const res = await attempt(headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({ code });
      expect(await count()).toBe(before);
    });

    it('refuses a revoked key and a disabled tenant exactly like an unknown key', async () => {
      const revoked = await intake.tenant('revoked-one');
      const disabled = await intake.tenant('disabled-one');
      expect((await attempt({ authorization: `Bearer ${revoked}` })).status).toBe(201);
      await intake.dataSource.query(`UPDATE intake.api_keys SET revoked_at = now() WHERE tenant_id = 'revoked-one'`);
      await intake.dataSource.query(`UPDATE intake.tenants SET disabled_at = now() WHERE id = 'disabled-one'`);
      const bodies = await Promise.all([revoked, disabled, `ksb_${'B'.repeat(43)}`].map(async (k) => {
        const res = await attempt({ authorization: `Bearer ${k}` });
        return { status: res.status, body: await res.json() };
      }));
      expect(bodies[0]).toEqual({ status: 401, body: { error: { code: 'UNKNOWN_TENANT', message: expect.any(String) } } });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
      // Reads are refused too: a revoked key sees nothing, not even its own tenant's invoices.
      expect((await request('/v1/invoices?erpDocumentId=A%2F1', { headers: { 'x-api-key': revoked } })).status).toBe(401);
    });
  });

  describe('tenant isolation', () => {
    it("answers another tenant's invoice exactly like a missing one, on every read", async () => {
      const created = await post({ erpDocumentId: 'T/1', xml: xml('T/1') });
      const { id } = (await created.json()) as { id: string };
      const missing = randomUUID();
      const read = async (path: string) => {
        const res = await request(path, { headers: { 'x-api-key': otherKey } });
        return { status: res.status, body: JSON.stringify(await res.json()).split(id).join('<id>').split(missing).join('<id>') };
      };
      expect(await read(`/v1/invoices/${id}`)).toEqual(await read(`/v1/invoices/${missing}`));
      expect((await read(`/v1/invoices/${id}`)).status).toBe(404);
      expect(await read(`/v1/invoices/${id}/upo`)).toEqual(await read(`/v1/invoices/${missing}/upo`));
      const byDocument = await read(`/v1/invoices?erpDocumentId=T%2F1`);
      expect(byDocument).toEqual({ status: 404, body: expect.stringContaining('INVOICE_NOT_FOUND') });
      expect(await request(`/internal/v1/invoices/${id}/document`, { headers: { 'x-api-key': otherKey } }).then((r) => r.status)).not.toBe(500);
      // The owner still sees it.
      expect((await request(`/v1/invoices/${id}`, { headers: { 'x-api-key': key } })).status).toBe(200);
    });

    it.each([`1' OR '1'='1`, '../../etc/passwd', '%00', `${randomUUID()}' OR 'a'='a`])('answers the id %p with 404, never 500', async (id) => {
      const res = await request(`/v1/invoices/${encodeURIComponent(id)}`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: 'INVOICE_NOT_FOUND' });
    });

    // PostgreSQL refuses U+0000 in text: the look-ups refuse it as a bad request instead of answering 500.
    it.each(['erpDocumentId', 'ksefNumber'])('answers a NUL in the %s query with 400', async (param) => {
      const res = await request(`/v1/invoices?${param}=${encodeURIComponent('FV\u00001')}`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'REQUEST_INVALID' });
    });

    it.each([`' OR '1'='1`, '%', '_', '\\'])('finds nothing for the ERP document id %p (no pattern or SQL semantics)', async (erpDocumentId) => {
      const res = await request(`/v1/invoices?erpDocumentId=${encodeURIComponent(erpDocumentId)}`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: 'INVOICE_NOT_FOUND' });
    });
  });

  describe('bodies', () => {
    // Parser-level refusals come from fastify before intake's code runs, in fastify's shape {statusCode, message}
    // (documented for 413 in docs/pipeline.md); everything intake itself refuses carries {error: {code}}.
    it.each([
      ['not JSON', 'application/json', '{"erpDocumentId": "B/1", "xml": <Faktura/>}', 400, { statusCode: 400 }],
      ['truncated JSON', 'application/json', '{"erpDocumentId": "B/2", "xml": "<a/>"', 400, { statusCode: 400 }],
      ['a prototype-pollution body', 'application/json', '{"erpDocumentId": "B/3", "xml": "<a/>", "__proto__": {"admin": true}}', 400, { statusCode: 400 }],
      ['a JSON array', 'application/json', '[1,2,3]', 400, { error: { code: 'REQUEST_INVALID' } }],
      ['JSON null', 'application/json', 'null', 400, { error: { code: 'REQUEST_INVALID' } }],
      ['JSON as text/plain', 'text/plain', '{"erpDocumentId": "B/5", "xml": "<a/>"}', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
      ['raw XML as text/xml', 'text/xml', '<Faktura/>', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
      ['raw XML as application/xml', 'application/xml', '<Faktura/>', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
      ['a form-encoded body', 'application/x-www-form-urlencoded', 'erpDocumentId=B/4&xml=%3Ca%2F%3E', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
      ['a multipart body', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="xml"\r\n\r\n<a/>\r\n--x--\r\n', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
      ['a JSON look-alike type', 'application/jsonx', '{"erpDocumentId": "B/17", "xml": "<a/>"}', 415, { error: { code: 'CONTENT_TYPE_UNSUPPORTED' } }],
    ])('refuses %s (%s) with %s', async (_what, contentType, body, status, shape) => {
      const before = await count();
      const res = await request('/v1/invoices', { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, body });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject(shape);
      expect(await count()).toBe(before);
      expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
    });

    // Nest's fastify adapter registers a form-urlencoded parser: intake refuses it (and every type but JSON) itself.
    it('refuses a form-encoded body with 415 CONTENT_TYPE_UNSUPPORTED and stores nothing', async () => {
      const before = await count();
      const res = await request('/v1/invoices', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, body: 'erpDocumentId=B/4&xml=%3Ca%2F%3E' });
      expect(res.status).toBe(415);
      expect(await res.json()).toEqual({ error: { code: 'CONTENT_TYPE_UNSUPPORTED', message: expect.any(String), details: { contentType: 'application/x-www-form-urlencoded' } } });
      expect(await count()).toBe(before);
    });

    it('takes JSON with a charset parameter and in any letter case', async () => {
      const res = await request('/v1/invoices', { method: 'POST', headers: { 'content-type': 'Application/JSON; charset=utf-8', authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, body: JSON.stringify({ erpDocumentId: 'B/18' }) });
      // Past the content-type check: the body itself is refused by the schema (no document).
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'REQUEST_INVALID' });
    });

    it.each([
      ['base64 with illegal characters', { erpDocumentId: 'B/6', xmlBase64: 'PGEvPg==!!<script>' }, 400, 'REQUEST_INVALID'],
      ['base64 with MIME line breaks', { erpDocumentId: 'B/7', xmlBase64: 'PGEv\r\nPg==' }, 400, 'REQUEST_INVALID'],
      ['base64 of binary garbage', { erpDocumentId: 'B/8', xmlBase64: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]).toString('base64') }, 415, 'DOCUMENT_ENCODING'],
      ['a document id of 201 characters', { erpDocumentId: 'X'.repeat(201), xml: '<a/>' }, 400, 'REQUEST_INVALID'],
      ['metadata with 51 entries', { erpDocumentId: 'B/9', xml: '<a/>', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 400, 'REQUEST_INVALID'],
      ['nested metadata', { erpDocumentId: 'B/10', xml: '<a/>', metadata: { a: { b: { c: 'd' } } } }, 400, 'REQUEST_INVALID'],
      ['a decoded document above INTAKE_MAX_DOCUMENT_BYTES', { erpDocumentId: 'B/11', xmlBase64: Buffer.from(`<a>${'x'.repeat(200_000)}</a>`).toString('base64') }, 413, 'DOCUMENT_TOO_LARGE'],
      // libxml2 bounds entity amplification even when it does not substitute entities.
      ['a billion-laughs document', { erpDocumentId: 'B/12', xml: `<!DOCTYPE a [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]><a>&l9;</a>` }, 400, 'XML_MALFORMED'],
      ['a NUL in the document', { erpDocumentId: 'B/13', xml: '<a>\u0000</a>' }, 400, 'XML_MALFORMED'],
      ['a NUL in the document id', { erpDocumentId: 'B/\u000014', xml: '<a/>' }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['a NUL in a metadata value', { erpDocumentId: 'B/15', xml: '<a/>', metadata: { k: 'v\u0000' } }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['a NUL in a metadata key', { erpDocumentId: 'B/16', xml: '<a/>', metadata: { 'k\u0000': 'v' } }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['a control character in the document id', { erpDocumentId: 'B/\u001b19', xml: '<a/>' }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['U+FFFF in a metadata value', { erpDocumentId: 'B/20', xml: '<a/>', metadata: { k: 'v\uffff' } }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['a lone surrogate in a metadata value', { erpDocumentId: 'B/21', xml: '<a/>', metadata: { k: 'v\ud800' } }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
      ['a NUL in the document id of an otherwise invalid body', { erpDocumentId: 'B/\u000022', xml: '<a/>', extra: 1 }, 400, 'TEXT_CHARACTER_NOT_ALLOWED'],
    ])('answers %s with %s %s', async (_what, body, status, code) => {
      const before = await count();
      const res = await post(body);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error?: { code: string } }).error?.code).toBe(code);
      expect(await count()).toBe(before);
    });

    it('stores an external-entity document as sent, unexpanded (the validator refuses its DOCTYPE)', async () => {
      const text = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
      const res = await post({ erpDocumentId: 'B/xxe', xml: text });
      expect(res.status).toBe(201);
      const { id, sizeBytes } = (await res.json()) as { id: string; sizeBytes: number };
      expect(sizeBytes).toBe(Buffer.byteLength(text));
      const [row] = await intake.dataSource.query(`SELECT convert_from(content, 'UTF8') AS text FROM intake.invoice_documents WHERE invoice_id = $1`, [id]);
      expect(row.text).toBe(text);
    });

    it('refuses a body beyond the HTTP limit before intake reads it', async () => {
      const res = await post({ erpDocumentId: 'B/huge', xml: 'x'.repeat(1_000_000) });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ statusCode: 413 });
    });
  });

  describe('injection strings in every text field', () => {
    it.each(INJECTION_STRINGS.map((s, i) => [s, i] as const))('stores and returns %p verbatim, as JSON only', async (hostile, i) => {
      const idempotencyKey = ASCII_INJECTION_KEYS[i % ASCII_INJECTION_KEYS.length] + `-${i}`;
      const metadata = { [hostile.slice(0, 100)]: hostile, note: hostile };
      const res = await post({ erpDocumentId: hostile, xml: xml(`INJ/${i}`), metadata }, { 'idempotency-key': idempotencyKey });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const created = (await res.json()) as { id: string; erpDocumentId: string; metadata: Record<string, string> };
      expect(created).toMatchObject({ erpDocumentId: hostile, metadata });

      const found = await request(`/v1/invoices?erpDocumentId=${encodeURIComponent(hostile)}`, { headers: { 'x-api-key': key } });
      expect(found.status).toBe(200);
      expect(found.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await found.json()).toMatchObject({ id: created.id, erpDocumentId: hostile, metadata });
      // The same Idempotency-Key again is the same submission, not a new row.
      expect((await post({ erpDocumentId: hostile, xml: xml(`INJ/${i}`), metadata }, { 'idempotency-key': idempotencyKey })).status).toBe(200);
      // A reflected value in an error stays inside JSON.
      const notFound = await request(`/v1/invoices/${encodeURIComponent(hostile)}`, { headers: { 'x-api-key': key } });
      expect(notFound.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('executed none of them: the tables are intact and hold exactly the submitted rows', async () => {
      const rows: Array<{ erp_document_id: string }> = await intake.dataSource.query(`SELECT erp_document_id FROM intake.invoices WHERE tenant_id = 'acme' AND erp_document_id = ANY($1)`, [INJECTION_STRINGS]);
      expect(rows.map((r) => r.erp_document_id).sort()).toEqual([...INJECTION_STRINGS].sort());
    });
  });
});
