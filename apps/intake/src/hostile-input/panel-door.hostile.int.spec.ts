import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { withTransaction } from '@ksef-bridge/persistence';
import { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

// The panel's re-submit door as intake serves it (POST /internal/v1/panel/invoices/{id}/resubmit, what the panel BFF
// forwards byte for byte: apps/panel/src/hostile-input/). A corrected document that intake refuses leaves the
// original invoice exactly as it was (state, history, no new invoice); one it takes in is stored unexpanded.
const TOKEN = 'panel-door-hostile-token';
const NIP = '5265877635';

describe('panel re-submit door under hostile documents (real intake, PostgreSQL and Kafka)', () => {
  let intake: IntakeHarness;
  let key: string;

  const resubmit = async (id: string, xml: string, erpDocumentId = `FIX-${Math.random().toString(36).slice(2)}`) => {
    const res = await fetch(`${intake.url}/internal/v1/panel/invoices/${id}/resubmit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', user: 'anna', reason: 'corrected buyer', erpDocumentId, xml }),
    });
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|QueryFailedError|root:x:0:0/);
    return { status: res.status, body: JSON.parse(text) as { error?: { code: string }; invoiceId?: string } };
  };
  const snapshot = async (id: string) => {
    const [row] = await intake.dataSource.query(`SELECT state, updated_at FROM intake.invoices WHERE id = $1`, [id]);
    const [{ n }] = await intake.dataSource.query(`SELECT count(*)::int AS n FROM intake.invoice_history WHERE invoice_id = $1`, [id]);
    const [{ total }] = await intake.dataSource.query(`SELECT count(*)::int AS total FROM intake.invoices`);
    return { state: row.state, updatedAt: String(row.updated_at), history: n, invoices: total };
  };
  const escalated = async (erpDocumentId: string) => {
    const res = await fetch(`${intake.url}/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': `k-${erpDocumentId}`, 'content-type': 'application/json' },
      body: JSON.stringify({ erpDocumentId, xml: buildSampleInvoice({ sellerNip: NIP, invoiceNumber: erpDocumentId }) }),
    });
    const { id } = (await res.json()) as { id: string };
    await withTransaction(intake.dataSource, async (manager) => {
      const repo = intake.service.app.get(InvoiceRepository);
      const lifecycle = intake.service.app.get(InvoiceLifecycle);
      for (const [to, errorCode] of [['QUEUED', undefined], ['ESCALATED', 'ATTEMPTS_EXHAUSTED']] as const) {
        const row = await repo.lockById(manager, id);
        await lifecycle.transition(manager, row!, to, { actor: 'test', errorCode, facts: { contextNip: NIP } });
      }
    });
    return id;
  };

  beforeAll(async () => {
    intake = await startIntake({ internalApiToken: TOKEN, maxDocumentBytes: 200_000 });
    key = await intake.tenant('acme');
  }, 120_000);
  afterAll(() => intake?.close(), 60_000);

  const valid = () => buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV/FIX/1' });
  const laughs = `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE a [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]><a>&l9;</a>`;
  // null: refused by the HTTP layer itself (body above intake's HTTP limit), in fastify's shape without our code.
  const refused: Array<[string, () => string, number, string | null]> = [
    ['billion laughs', () => laughs, 400, 'XML_MALFORMED'],
    ['100,000 nesting levels', () => `<?xml version="1.0" encoding="UTF-8"?>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, 413, null],
    ['10,000 nesting levels (under the size limit)', () => `<?xml version="1.0" encoding="UTF-8"?>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`, 400, 'XML_MALFORMED'],
    ['declared ISO-8859-2', () => valid().replace('encoding="UTF-8"', 'encoding="ISO-8859-2"'), 415, 'DOCUMENT_ENCODING'],
    ['declared UTF-16', () => valid().replace('encoding="UTF-8"', 'encoding="UTF-16"'), 415, 'DOCUMENT_ENCODING'],
    ['a byte-order mark', () => `\ufeff${valid()}`, 415, 'DOCUMENT_ENCODING'],
    ['a processing instruction', () => valid().replace('<Naglowek>', '<?xml-stylesheet href="http://evil/x.xsl"?><Naglowek>'), 415, 'DOCUMENT_ENCODING'],
    ['a NUL character', () => valid().replace('<P_7>', '<P_7>\u0000'), 400, 'XML_MALFORMED'],
    ['an oversized document (above INTAKE_MAX_DOCUMENT_BYTES)', () => valid().replace('</Faktura>', `<!--${'x'.repeat(250_000)}--></Faktura>`), 413, 'DOCUMENT_TOO_LARGE'],
    ['JSON instead of XML', () => '{"Faktura": {}}', 400, 'XML_MALFORMED'],
  ];

  it.each(refused)('refuses %s and leaves the original ESCALATED invoice as it was', async (_what, xml, status, code) => {
    const id = await escalated(`ORIG-${code ?? 'HTTP'}-${Math.random().toString(36).slice(2, 8)}`);
    const before = await snapshot(id);
    const res = await resubmit(id, xml());
    expect({ status: res.status, code: res.body.error?.code ?? null }).toEqual({ status, code });
    expect(await snapshot(id)).toEqual(before);
  }, 60_000);

  it('takes an XXE document in unexpanded (the validator refuses its DOCTYPE later); the original is replaced, not lost', async () => {
    const id = await escalated('ORIG-XXE');
    const xxe = valid().replace('<Faktura', '<!DOCTYPE Faktura [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Faktura').replace('<P_7>', '<P_7>&xxe;');
    const res = await resubmit(id, xxe, 'FIX-XXE');
    expect(res.status).toBe(200);
    const [stored] = await intake.dataSource.query(`SELECT state FROM intake.invoices WHERE id = $1`, [res.body.invoiceId]);
    expect(stored.state).toBe('RECEIVED');
    const doc = await fetch(`${intake.url}/internal/v1/panel/invoices/${res.body.invoiceId}?tenant=acme`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { documentXml } = (await doc.json()) as { documentXml: string };
    expect(documentXml).toContain('&xxe;');
    expect(documentXml).not.toContain('root:');
    // The original is CANCELLED with a pointer to its replacement (the chain the panel shows), never deleted.
    const [original] = await intake.dataSource.query(`SELECT state FROM intake.invoices WHERE id = $1`, [id]);
    expect(original.state).toBe('CANCELLED');
  });

  it('refuses a re-submit under an ERP document id of another invoice of the tenant without touching either', async () => {
    const id = await escalated('ORIG-DUP');
    const other = await escalated('OTHER-DOC');
    const [before, otherBefore] = [await snapshot(id), await snapshot(other)];
    const res = await resubmit(id, valid(), 'OTHER-DOC');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await snapshot(id)).toEqual(before);
    expect((await snapshot(other)).state).toBe(otherBefore.state);
  });
});
