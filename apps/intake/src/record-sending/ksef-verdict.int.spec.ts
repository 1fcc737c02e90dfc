import { createHash } from 'node:crypto';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { newEnvelope } from '@ksef-bridge/outbox';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

// Tracing is off in the harness; the W3C propagator alone lets the consumer carry the ERP message's traceparent into
// intake's events, which is where intake takes the invoice's trace id from (this file's globals only).
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const NIP = '5261040828';
const SESSION = '20260115-SO-0000000001-0000000001-01';
const UPO = `<?xml version="1.0" encoding="UTF-8"?><Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-2"><NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów - zażółć</NazwaPodmiotuPrzyjmujacego></Potwierdzenie>`;

// KSeF's verdicts as the status-poller reports them, recorded by intake against a real Kafka and PostgreSQL, and
// served over HTTP: processing, acceptance with the KSeF number and the UPO, rejection while processing, duplicates,
// verdicts overtaking the sender's receipt, redeliveries, and tenant isolation.
describe('recording KSeF verdicts (invoice.processing, invoice.accepted, invoice.rejected at processing)', () => {
  let intake: IntakeHarness;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    intake = await startIntake();
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('other');
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const get = (path: string, apiKey = key) => fetch(`${intake.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const stateOf = async (id: string) => ((await intake.dataSource.query(`SELECT state FROM intake.invoices WHERE id = $1`, [id])) as Array<{ state: string }>)[0].state;
  const history = async (id: string) =>
    (await intake.dataSource.query(`SELECT from_state, to_state, actor, ksef_reference_number, ksef_number, error_code, details FROM intake.invoice_history WHERE invoice_id = $1 ORDER BY id`, [id])) as Array<Record<string, unknown>>;
  const until = (what: string, check: () => Promise<boolean>) => waitFor(async () => (await check()) || undefined, { what, timeoutMs: 60_000 });
  const ref = (n: number) => `20260115-EE-${String(n).padStart(10, '0')}-0000000001-01`;
  const ksefNumber = (n: number) => `${NIP}-20260115-${String(n).padStart(12, '0')}-AF`;

  async function queued(erpDocumentId: string, traceparent?: string): Promise<string> {
    const xmlBase64 = Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: erpDocumentId })).toString('base64');
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: erpDocumentId, tenant: 'acme', payload: { erpDocumentId, xmlBase64 }, traceparent }));
    const { id } = await waitFor(async () => ((await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = $1`, [erpDocumentId])) as Array<{ id: string }>)[0], {
      what: `${erpDocumentId} taken in`,
      timeoutMs: 30_000,
    });
    const payload = { invoiceId: id, erpDocumentId, contextNip: NIP, form: 'FA(3)', invoiceNumber: erpDocumentId, invoiceType: 'VAT', issueDate: '2026-01-15', document: { invoiceId: id, sha256: 'a'.repeat(64), sizeBytes: 10 } };
    await intake.publisher.publish(intake.topics.invoiceValidated, newEnvelope({ type: 'invoice.validated', version: 1, aggregateId: NIP, tenant: 'acme', payload }));
    await until(`${erpDocumentId} QUEUED`, async () => (await stateOf(id)) === 'QUEUED');
    return id;
  }

  const submitted = (id: string, erpDocumentId: string, n: number, mode: 'online' | 'batch' = 'online') =>
    newEnvelope({
      type: 'invoice.submitted',
      version: 1,
      aggregateId: id,
      tenant: 'acme',
      payload: {
        invoiceId: id,
        erpDocumentId,
        contextNip: NIP,
        sessionReferenceNumber: SESSION,
        mode,
        invoiceReferenceNumber: mode === 'online' ? ref(n) : undefined,
        invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
        submittedAt: new Date().toISOString(),
        attempt: 1,
        reconciled: false,
      },
    });

  async function sent(erpDocumentId: string, n: number, traceparent?: string): Promise<string> {
    const id = await queued(erpDocumentId, traceparent);
    await intake.publisher.publish(intake.topics.invoiceSubmitted, submitted(id, erpDocumentId, n));
    await until(`${erpDocumentId} SENT`, async () => (await stateOf(id)) === 'SENT');
    return id;
  }

  const processing = (id: string, erpDocumentId: string, n: number) =>
    newEnvelope({
      type: 'invoice.processing',
      version: 1,
      aggregateId: id,
      tenant: 'acme',
      payload: { invoiceId: id, erpDocumentId, contextNip: NIP, sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(n), statusCode: 150, description: 'Trwa przetwarzanie', observedAt: new Date().toISOString() },
    });

  const accepted = (id: string, erpDocumentId: string, n: number, extra: { upoXml?: string; duplicate?: boolean; number?: string } = {}) =>
    newEnvelope({
      type: 'invoice.accepted',
      version: 1,
      aggregateId: id,
      tenant: 'acme',
      payload: {
        invoiceId: id,
        erpDocumentId,
        contextNip: NIP,
        ksefNumber: extra.number ?? ksefNumber(n),
        acquisitionDate: '2026-01-15T10:11:12.345+00:00',
        sessionReferenceNumber: SESSION,
        invoiceReferenceNumber: ref(n),
        invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
        upoXml: extra.upoXml,
        upoPending: extra.upoXml === undefined,
        duplicate: extra.duplicate ?? false,
        acceptedAt: new Date().toISOString(),
      },
    });

  const upoReceived = (id: string, erpDocumentId: string, number: string) =>
    newEnvelope({
      type: 'invoice.upo-received',
      version: 1,
      aggregateId: id,
      tenant: 'acme',
      payload: { invoiceId: id, erpDocumentId, contextNip: NIP, ksefNumber: number, sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(2), upoXml: UPO, acceptedAt: new Date().toISOString(), receivedAt: new Date().toISOString() },
    });

  it('records PROCESSING then ACCEPTED with the KSeF number, acquisition date and UPO, and serves them', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const id = await sent('V/1', 1, traceparent);
    await intake.publisher.publish(intake.topics.invoiceProcessing, processing(id, 'V/1', 1));
    await until('V/1 PROCESSING', async () => (await stateOf(id)) === 'PROCESSING');
    await intake.publisher.publish(intake.topics.invoiceAccepted, accepted(id, 'V/1', 1, { upoXml: UPO }));
    await until('V/1 ACCEPTED', async () => (await stateOf(id)) === 'ACCEPTED');

    const rows = await history(id);
    expect(rows.map((h) => [h['from_state'], h['to_state'], h['actor']])).toEqual([
      [null, 'RECEIVED', 'intake:kafka'],
      ['RECEIVED', 'QUEUED', 'validator'],
      ['QUEUED', 'SENT', 'sender'],
      ['SENT', 'PROCESSING', 'status-poller'],
      ['PROCESSING', 'ACCEPTED', 'status-poller'],
    ]);
    expect(rows[3]).toMatchObject({ ksef_reference_number: ref(1), details: expect.objectContaining({ statusCode: 150 }) });
    expect(rows[4]).toMatchObject({
      ksef_reference_number: ref(1),
      ksef_number: ksefNumber(1),
      details: expect.objectContaining({ sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(1), acquisitionDate: '2026-01-15T10:11:12.345+00:00', duplicate: false, upoPending: false }),
    });
    const [upoRow] = await intake.dataSource.query(`SELECT sha256, xml FROM intake.invoice_upos WHERE invoice_id = $1`, [id]);
    const sha256 = createHash('sha256').update(UPO, 'utf8').digest('hex');
    expect(upoRow).toEqual({ sha256, xml: UPO });
    // The UPO is evidence: the database refuses to change it.
    await expect(intake.dataSource.query(`UPDATE intake.invoice_upos SET xml = 'x' WHERE invoice_id = $1`, [id])).rejects.toThrow(/append-only/);

    const view = (await (await get(`/v1/invoices/${id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({
      state: 'ACCEPTED',
      stateLabelPl: 'przyjęta',
      ksefNumber: ksefNumber(1),
      acquisitionDate: '2026-01-15T10:11:12.345Z',
      upoAvailable: true,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(view.ksefDuplicate).toBeUndefined();
    const upo = await get(`/v1/invoices/${id}/upo`);
    expect(upo.status).toBe(200);
    expect(upo.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(upo.headers.get('x-content-sha256')).toBe(sha256);
    expect(await upo.text()).toBe(UPO);

    const byNumber = await (await get(`/v1/invoices?ksefNumber=${ksefNumber(1)}`)).json();
    expect(byNumber).toEqual({ items: [expect.objectContaining({ id, erpDocumentId: 'V/1', ksefNumber: ksefNumber(1), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })] });
    expect(await (await get(`/v1/invoices?erpDocumentId=V%2F1`)).json()).toMatchObject({ id, ksefNumber: ksefNumber(1), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(await (await get(`/v1/invoices?ksefNumber=${ksefNumber(999)}`)).json()).toEqual({ items: [] });
    expect((await get(`/v1/invoices?ksefNumber=x&erpDocumentId=y`)).status).toBe(400);

    // Another tenant: every new route answers as if the invoice did not exist.
    expect((await get(`/v1/invoices/${id}`, otherKey)).status).toBe(404);
    const theirUpo = await get(`/v1/invoices/${id}/upo`, otherKey);
    expect(theirUpo.status).toBe(404);
    expect(await theirUpo.json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
    expect(await (await get(`/v1/invoices?ksefNumber=${ksefNumber(1)}`, otherKey)).json()).toEqual({ items: [] });
    expect((await get(`/v1/invoices?erpDocumentId=V%2F1`, otherKey)).status).toBe(404);
  });

  it('keeps an acceptance that overtakes a batch receipt (retried, not lost), records a redelivery once, keeps a late UPO', async () => {
    const id = await queued('V/2');
    // The acceptance first, without its UPO yet: intake has not recorded SENT and must wait, not drop it.
    const early = accepted(id, 'V/2', 2);
    await intake.publisher.publish(intake.topics.invoiceAccepted, early);
    const deferred = async () =>
      (await intake.service.registry.getSingleMetricAsString('ksef_consumer_retries_total')).split('\n').some((line) => line.includes(`topic="${intake.topics.invoiceAccepted}"`) && line.includes('code="INVOICE_STATE_BEHIND"'));
    await until('the early acceptance deferred', deferred);
    expect(await stateOf(id)).toBe('QUEUED');
    const pending = await get(`/v1/invoices/${id}/upo`);
    expect(pending.status).toBe(404);
    expect(await pending.json()).toMatchObject({ error: { code: 'UPO_NOT_AVAILABLE', details: { state: 'QUEUED' } } });

    // A batch receipt has no invoice reference number (KSeF assigns it with the package).
    await intake.publisher.publish(intake.topics.invoiceSubmitted, submitted(id, 'V/2', 2, 'batch'));
    await until('V/2 ACCEPTED', async () => (await stateOf(id)) === 'ACCEPTED');
    expect(((await (await get(`/v1/invoices/${id}`)).json()) as { upoAvailable: boolean }).upoAvailable).toBe(false);

    // Redelivered: the same message, then the same acceptance under a new id; then KSeF's late UPO.
    await intake.publisher.publish(intake.topics.invoiceAccepted, early);
    const again = accepted(id, 'V/2', 2);
    await intake.publisher.publish(intake.topics.invoiceAccepted, again);
    // Same key, same partition: once the second is in the inbox, the exact redelivery before it was consumed too.
    await until('both acceptance ids seen by the inbox', async () => {
      const [{ c }] = await intake.dataSource.query(`SELECT count(*)::int AS c FROM intake.inbox WHERE consumer = 'intake.ksef-verdicts' AND message_id = ANY($1::uuid[])`, [[early.id, again.id]]);
      return c === 2;
    });
    await intake.publisher.publish(intake.topics.invoiceUpoReceived, upoReceived(id, 'V/2', ksefNumber(2)));
    await until('the late UPO stored', async () => ((await intake.dataSource.query(`SELECT 1 FROM intake.invoice_upos WHERE invoice_id = $1`, [id])) as unknown[]).length === 1);
    const rows = await history(id);
    expect(rows.map((h) => [h['from_state'], h['to_state']])).toEqual([
      [null, 'RECEIVED'],
      ['RECEIVED', 'QUEUED'],
      ['QUEUED', 'SENT'],
      ['SENT', 'ACCEPTED'],
    ]);
    expect(rows[2]).toMatchObject({ actor: 'sender', ksef_reference_number: null, details: expect.objectContaining({ mode: 'batch' }) });
    expect(rows[3]).toMatchObject({ ksef_number: ksefNumber(2), details: expect.objectContaining({ upoPending: true }) });
    expect(await (await get(`/v1/invoices/${id}/upo`)).text()).toBe(UPO);
  });

  it('records a rejection while processing as REJECTED with KSeF codes, also when it overtakes the receipt', async () => {
    const processed = await sent('V/3', 3);
    await intake.publisher.publish(intake.topics.invoiceProcessing, processing(processed, 'V/3', 3));
    await until('V/3 PROCESSING', async () => (await stateOf(processed)) === 'PROCESSING');
    const early = await queued('V/4');
    const rejected = (id: string, erpDocumentId: string, n: number) =>
      newEnvelope({
        type: 'invoice.rejected',
        version: 1,
        aggregateId: id,
        tenant: 'acme',
        payload: { invoiceId: id, erpDocumentId, contextNip: NIP, stage: 'processing', processingCode: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['P_15 niezgodne'], sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(n), rejectedAt: new Date().toISOString() },
      });
    await intake.publisher.publish(intake.topics.invoiceRejected, rejected(processed, 'V/3', 3));
    await intake.publisher.publish(intake.topics.invoiceRejected, rejected(early, 'V/4', 4));
    await until('both REJECTED', async () => (await stateOf(processed)) === 'REJECTED' && (await stateOf(early)) === 'REJECTED');
    // The sender's late receipt changes nothing.
    const late = submitted(early, 'V/4', 4);
    await intake.publisher.publish(intake.topics.invoiceSubmitted, late);
    await until('the late receipt consumed', async () => {
      const [{ c }] = await intake.dataSource.query(`SELECT count(*)::int AS c FROM intake.inbox WHERE consumer = 'intake.send-outcomes' AND message_id = $1`, [late.id]);
      return c === 1;
    });

    const last = (await history(processed)).at(-1);
    expect(last).toMatchObject({ from_state: 'PROCESSING', to_state: 'REJECTED', actor: 'status-poller', error_code: 'KSEF_450', ksef_reference_number: ref(3), details: expect.objectContaining({ stage: 'processing', processingCode: 450, details: ['P_15 niezgodne'] }) });
    const rows = await history(early);
    expect(rows.map((h) => [h['from_state'], h['to_state'], h['actor']])).toEqual([
      [null, 'RECEIVED', 'intake:kafka'],
      ['RECEIVED', 'QUEUED', 'validator'],
      ['QUEUED', 'SENT', 'status-poller'],
      ['SENT', 'REJECTED', 'status-poller'],
    ]);
    expect(rows[2]).toMatchObject({ ksef_reference_number: ref(4), details: expect.objectContaining({ impliedBy: 'invoice.rejected' }) });
    expect(rows[3]).toMatchObject({ error_code: 'KSEF_450' });
  });

  it('records a 440 duplicate with the original number, and dead-letters a second owner of a number', async () => {
    const original = await sent('V/5', 5);
    const copy = await sent('V/6', 6);
    const clash = await sent('V/7', 7);
    await intake.publisher.publish(intake.topics.invoiceAccepted, accepted(original, 'V/5', 5, { upoXml: UPO }));
    await until('V/5 ACCEPTED', async () => (await stateOf(original)) === 'ACCEPTED');
    await intake.publisher.publish(intake.topics.invoiceAccepted, accepted(copy, 'V/6', 6, { number: ksefNumber(5), duplicate: true, upoXml: UPO }));
    await until('V/6 ACCEPTED', async () => (await stateOf(copy)) === 'ACCEPTED');
    const last = (await history(copy)).at(-1);
    expect(last).toMatchObject({ ksef_number: ksefNumber(5), details: expect.objectContaining({ duplicate: true, note: expect.stringContaining('440') }) });
    const found = (await (await get(`/v1/invoices?ksefNumber=${ksefNumber(5)}`)).json()) as { items: Array<{ id: string; ksefDuplicate?: boolean }> };
    expect(found.items.map((i) => [i.id, i.ksefDuplicate])).toEqual([
      [original, undefined],
      [copy, true],
    ]);

    // The same number for a third invoice without a 440 is an anomaly: parked in the DLT, the invoice stays SENT.
    await intake.publisher.publish(intake.topics.invoiceAccepted, accepted(clash, 'V/7', 7, { number: ksefNumber(5) }));
    await until('conflict dead-lettered', async () =>
      (await intake.service.registry.getSingleMetricAsString('ksef_consumer_dead_lettered_total')).includes('code="KSEF_NUMBER_CONFLICT"'),
    );
    expect(await stateOf(clash)).toBe('SENT');
    // A late UPO naming another number than the invoice was accepted with is not kept.
    await intake.publisher.publish(intake.topics.invoiceUpoReceived, upoReceived(original, 'V/5', ksefNumber(8)));
    await until('UPO mismatch dead-lettered', async () =>
      (await intake.service.registry.getSingleMetricAsString('ksef_consumer_dead_lettered_total')).includes('code="UPO_KSEF_NUMBER_MISMATCH"'),
    );
  });

  it('answers the new routes as its OpenAPI document describes', async () => {
    const doc = (await (await fetch(`${intake.url}/v1/openapi.json`)).json()) as { paths: Record<string, { get: { responses: Record<string, { 'x-error-codes'?: string[] }> } }>; components: unknown };
    expect(doc.paths['/v1/invoices/{id}/upo'].get.responses['404']['x-error-codes']).toEqual(['INVOICE_NOT_FOUND', 'UPO_NOT_AVAILABLE']);
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'intake-api', components: doc.components });
    const check = (schema: string, value: unknown) => {
      const validate = ajv.compile({ $ref: `intake-api#/components/schemas/${schema}` });
      expect(validate(value) ? [] : validate.errors).toEqual([]);
    };
    const [{ id }] = await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = 'V/1'`);
    check('Invoice', await (await get(`/v1/invoices/${id}`)).json());
    check('InvoiceList', await (await get(`/v1/invoices?ksefNumber=${ksefNumber(5)}`)).json());
    check('Error', await (await get(`/v1/invoices/00000000-0000-4000-8000-000000000000/upo`)).json());
  });
});
