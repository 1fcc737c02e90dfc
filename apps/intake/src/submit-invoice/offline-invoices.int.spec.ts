import { createHash } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { DLT_HEADER } from '@ksef-bridge/kafka';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type Collected, type IntakeHarness } from '../test/intake-harness';

const NIP = '5261040828';

/** The parts of intake's answers these tests read (assertions check the rest with toMatchObject). */
interface Answer {
  id: string;
  contentSha256: string;
  offline?: unknown;
  technicalCorrectionOf?: string;
  technicalCorrections?: unknown;
  history: Array<{ from?: string; to: string; actor: string; details?: unknown }>;
  error: { code: string; message: string; details: Record<string, unknown> };
}
type ReceivedPayload = { erpDocumentId: string; document: unknown; offline?: unknown; hashOfCorrectedInvoice?: string; sourceMessageId?: string };
const TOKEN = 'offline-int-test-internal-token';

// Offline issuance (issue #7) through a real intake: the marking on both doors, its precise refusals, the OFFLINE
// state after the validator's verdict, the sender's outcomes moving OFFLINE invoices on, and technical corrections of
// a rejected offline invoice (HTTP, Kafka and the panel's resubmit) carrying KSeF's hashOfCorrectedInvoice.
describe('offline invoices at intake', () => {
  let intake: IntakeHarness;
  let key: string;
  let otherKey: string;
  let received: Collected;
  let rejected: Collected;
  let deadLetters: Collected;

  beforeAll(async () => {
    intake = await startIntake({ internalApiToken: TOKEN });
    key = await intake.tenant('acme');
    otherKey = await intake.tenant('other');
    received = await intake.collect(intake.topics.invoiceReceived);
    rejected = await intake.collect(intake.topics.intakeRejected);
    deadLetters = await intake.collect(deadLetterTopic(intake.topics.erpInvoiceSubmitted));
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const xml = (n: string, net = 100) => buildSampleInvoice({ sellerNip: NIP, invoiceNumber: n, netAmount: net, issueDate: '2026-01-15' });
  const post = async (body: Record<string, unknown>, apiKey = key) => {
    const res = await fetch(`${intake.url}/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'idempotency-key': `k-${String(body['erpDocumentId'])}-${JSON.stringify(body).length}-${Math.random()}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const get = async (id: string, apiKey = key) => (await (await fetch(`${intake.url}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as Answer;
  const stateOf = async (id: string) => ((await intake.dataSource.query(`SELECT state FROM intake.invoices WHERE id = $1`, [id])) as Array<{ state: string }>)[0]?.state;
  const receivedOf = (id: string) => waitFor(() => received.of('invoice.received').find((e) => e.aggregateId === id), { what: `invoice.received of ${id}`, timeoutMs: 30_000 });

  /** What the validator does with invoice.received: its verdict carries the marking on unchanged. */
  const validate = async (id: string) => {
    const event = await receivedOf(id);
    const p = event.payload as ReceivedPayload;
    const validated = newEnvelope({
      type: 'invoice.validated',
      version: 1,
      aggregateId: NIP,
      tenant: event.tenant,
      payload: { invoiceId: id, erpDocumentId: p.erpDocumentId, contextNip: NIP, form: 'FA(3)', invoiceNumber: p.erpDocumentId, invoiceType: 'VAT', issueDate: '2026-01-15', document: p.document, offline: p.offline, hashOfCorrectedInvoice: p.hashOfCorrectedInvoice },
    });
    await intake.publisher.publish(intake.topics.invoiceValidated, validated);
  };
  const rejectAtSend = async (id: string, erpDocumentId: string, tenant = 'acme') => {
    await intake.publisher.publish(
      intake.topics.invoiceRejected,
      newEnvelope({
        type: 'invoice.rejected',
        version: 1,
        aggregateId: id,
        tenant,
        payload: { invoiceId: id, erpDocumentId, contextNip: NIP, stage: 'send', exceptionCodes: [21405], description: 'Błąd walidacji danych wejściowych', httpStatus: 400, rejectedAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await stateOf(id)) === 'REJECTED', { what: `${id} REJECTED`, timeoutMs: 60_000 });
  };
  /** An offline invoice of `apiKey`'s tenant that KSeF refused at send time (OFFLINE → REJECTED). */
  const rejectedOffline = async (erpDocumentId: string, offline: unknown, apiKey = key, tenant = 'acme') => {
    const res = await post({ erpDocumentId, xml: xml(erpDocumentId), offline }, apiKey);
    expect(res.status).toBe(201);
    await validate(res.body.id);
    await waitFor(async () => (await stateOf(res.body.id)) === 'OFFLINE', { what: 'OFFLINE', timeoutMs: 60_000 });
    await rejectAtSend(res.body.id, erpDocumentId, tenant);
    return res.body as { id: string; contentSha256: string };
  };
  const kafkaSubmit = async (payload: Record<string, unknown>): Promise<Envelope> => {
    const envelope = newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: String(payload['erpDocumentId']), tenant: 'acme', payload });
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, envelope);
    return envelope;
  };

  it('HTTP door: stores the marking, puts it on invoice.received and shows OFFLINE (QUEUED, then OFFLINE) after the verdict', async () => {
    const offline = { mode: 'failure', periodEndedAt: '2026-01-15T14:00:00+01:00' };
    const res = await post({ erpDocumentId: 'OFF/H/1', xml: xml('OFF/H/1'), offline });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'RECEIVED', offline: { mode: 'failure', periodEndedAt: '2026-01-15T13:00:00.000Z' } });
    expect(res.body.technicalCorrectionOf).toBeUndefined();
    const event = await receivedOf(res.body.id);
    expect(event.payload).toMatchObject({ offline });
    expect((event.payload as ReceivedPayload).hashOfCorrectedInvoice).toBeUndefined();

    await validate(res.body.id);
    await waitFor(async () => (await stateOf(res.body.id)) === 'OFFLINE', { what: 'OFFLINE', timeoutMs: 60_000 });
    const view = await get(res.body.id);
    expect(view).toMatchObject({ state: 'OFFLINE', stateLabelPl: 'w trybie offline', offline: { mode: 'failure', periodEndedAt: '2026-01-15T13:00:00.000Z' } });
    expect(view.history.map((h) => [h.from ?? null, h.to, h.actor])).toEqual([
      [null, 'RECEIVED', 'intake:http'],
      ['RECEIVED', 'QUEUED', 'validator'],
      ['QUEUED', 'OFFLINE', 'validator'],
    ]);
    expect(view.history[2].details).toMatchObject({ offline });

    // The sender's receipt moves it on (OFFLINE → SENT).
    await intake.publisher.publish(
      intake.topics.invoiceSubmitted,
      newEnvelope({
        type: 'invoice.submitted',
        version: 1,
        aggregateId: res.body.id,
        tenant: 'acme',
        payload: {
          invoiceId: res.body.id,
          erpDocumentId: 'OFF/H/1',
          contextNip: NIP,
          sessionReferenceNumber: '20260101-SO-0000000001-0000000001-01',
          invoiceReferenceNumber: '20260101-EE-0000000001-0000000001-01',
          invoiceHash: Buffer.from(res.body.contentSha256, 'hex').toString('base64'),
          submittedAt: new Date().toISOString(),
          attempt: 1,
          reconciled: false,
        },
      }),
    );
    await waitFor(async () => (await stateOf(res.body.id)) === 'SENT', { what: 'OFFLINE → SENT', timeoutMs: 60_000 });
  });

  it('Kafka door: the same marking, OFFLINE after the verdict; an online invoice still goes to QUEUED only', async () => {
    await kafkaSubmit({ erpDocumentId: 'OFF/K/1', xmlBase64: Buffer.from(xml('OFF/K/1')).toString('base64'), offline: { mode: 'offline24' } });
    await kafkaSubmit({ erpDocumentId: 'ON/K/1', xmlBase64: Buffer.from(xml('ON/K/1')).toString('base64') });
    const idOf = async (erp: string) => ((await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = $1`, [erp])) as Array<{ id: string }>)[0]?.id;
    const offlineId = await waitFor(() => idOf('OFF/K/1'), { what: 'offline invoice taken in', timeoutMs: 30_000 });
    const onlineId = await waitFor(() => idOf('ON/K/1'), { what: 'online invoice taken in', timeoutMs: 30_000 });
    expect((await receivedOf(offlineId)).payload).toMatchObject({ offline: { mode: 'offline24' } });
    expect((await receivedOf(onlineId)).payload).not.toHaveProperty('offline');
    await validate(offlineId);
    await validate(onlineId);
    await waitFor(async () => (await stateOf(offlineId)) === 'OFFLINE' && (await stateOf(onlineId)) === 'QUEUED', { what: 'verdicts recorded', timeoutMs: 60_000 });
    expect((await get(offlineId)).offline).toEqual({ mode: 'offline24' });
    expect((await get(onlineId)).offline).toBeUndefined();
  });

  it('records a send refusal of an offline invoice as REJECTED (OFFLINE → REJECTED, allowed by the database too)', async () => {
    const invoice = await rejectedOffline('OFF/R/1', { mode: 'unavailability' });
    const view = await get(invoice.id);
    expect(view.history.map((h) => h.to)).toEqual(['RECEIVED', 'QUEUED', 'OFFLINE', 'REJECTED']);
    expect(view.history[3]).toMatchObject({ from: 'OFFLINE', errorCode: 'KSEF_21405' });
  });

  it("records KSeF's processing rejection of an OFFLINE invoice whose receipt was not recorded yet (OFFLINE → SENT → REJECTED)", async () => {
    const res = await post({ erpDocumentId: 'OFF/R/2', xml: xml('OFF/R/2'), offline: { mode: 'offline24' } });
    await validate(res.body.id);
    await waitFor(async () => (await stateOf(res.body.id)) === 'OFFLINE', { what: 'OFFLINE', timeoutMs: 60_000 });
    await intake.publisher.publish(
      intake.topics.invoiceRejected,
      newEnvelope({
        type: 'invoice.rejected',
        version: 1,
        aggregateId: res.body.id,
        tenant: 'acme',
        payload: { invoiceId: res.body.id, erpDocumentId: 'OFF/R/2', contextNip: NIP, stage: 'processing', processingCode: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', sessionReferenceNumber: '20260101-SO-0000000002-0000000001-01', invoiceReferenceNumber: '20260101-EE-0000000002-0000000001-01', rejectedAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await stateOf(res.body.id)) === 'REJECTED', { what: 'REJECTED', timeoutMs: 60_000 });
    expect((await get(res.body.id)).history.map((h) => h.to)).toEqual(['RECEIVED', 'QUEUED', 'OFFLINE', 'SENT', 'REJECTED']);
  });

  it('takes a technical correction of a rejected offline invoice: marking inherited, hashOfCorrectedInvoice on invoice.received', async () => {
    const original = await rejectedOffline('OFF/TC/1', { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00Z' });
    const expectedHash = createHash('sha256').update(xml('OFF/TC/1')).digest('base64');
    const res = await post({ erpDocumentId: 'OFF/TC/1-fix', xml: xml('OFF/TC/1-fix'), technicalCorrectionOf: original.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ technicalCorrectionOf: original.id, offline: { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00.000Z' } });
    const event = await receivedOf(res.body.id);
    expect(event.payload).toMatchObject({ offline: { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00.000Z' }, hashOfCorrectedInvoice: expectedHash });
    expect(expectedHash).toBe(Buffer.from(original.contentSha256, 'hex').toString('base64'));

    // Repeating it is the same submission (200); the same marking given explicitly is accepted too.
    const again = await post({ erpDocumentId: 'OFF/TC/1-fix', xml: xml('OFF/TC/1-fix'), technicalCorrectionOf: original.id, offline: { mode: 'failure', periodEndedAt: '2026-01-15T13:00:00+01:00' } });
    expect(again).toMatchObject({ status: 200, body: { id: res.body.id } });
    // The same document without the correction link is another submission: conflict.
    const unlinked = await post({ erpDocumentId: 'OFF/TC/1-fix', xml: xml('OFF/TC/1-fix'), offline: { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00Z' } });
    expect(unlinked).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT', details: { existingInvoiceId: res.body.id } } } });

    // Both read APIs show the link, both ways.
    expect((await get(original.id)).technicalCorrections).toEqual([{ id: res.body.id, erpDocumentId: 'OFF/TC/1-fix', state: 'RECEIVED' }]);
    const panel = await fetch(`${intake.url}/internal/v1/panel/invoices/${res.body.id}?tenant=acme`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await panel.json()).toMatchObject({ technicalCorrectionOf: original.id, offline: { mode: 'failure' } });
    const list = (await (await fetch(`${intake.url}/internal/v1/panel/invoices?tenant=acme&erpDocumentId=OFF/TC/1`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { items: unknown[] };
    expect(list.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: original.id, offlineMode: 'failure', technicalCorrectionOf: null }),
        expect.objectContaining({ id: res.body.id, offlineMode: 'failure', technicalCorrectionOf: original.id }),
      ]),
    );

    // Through the verdict it goes OFFLINE like any offline invoice, with the hash in the history.
    await validate(res.body.id);
    await waitFor(async () => (await stateOf(res.body.id)) === 'OFFLINE', { what: 'correction OFFLINE', timeoutMs: 60_000 });
    expect((await get(res.body.id)).history[2].details).toMatchObject({ hashOfCorrectedInvoice: expectedHash, technicalCorrectionOf: original.id });
  });

  it('answers as its OpenAPI document describes (marking, link, corrections, refusal codes)', async () => {
    const doc = (await (await fetch(`${intake.url}/v1/openapi.json`)).json()) as { components: unknown; paths: Record<string, { post: { responses: Record<string, { 'x-error-codes'?: string[] }> } }> };
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'intake-api', components: doc.components });
    const check = (schema: string, value: unknown) => {
      const validate = ajv.compile({ $ref: `intake-api#/components/schemas/${schema}` });
      expect(validate(value) ? [] : validate.errors).toEqual([]);
    };
    const original = await rejectedOffline('OFF/API/1', { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00Z' });
    const body = { erpDocumentId: 'OFF/API/1-fix', xml: xml('OFF/API/1-fix'), technicalCorrectionOf: original.id, offline: { mode: 'failure', periodEndedAt: '2026-01-15T12:00:00Z' } };
    check('SubmitInvoice', body);
    const created = await post(body);
    check('Invoice', created.body);
    check('Invoice', await get(original.id));
    const codes = Object.values(doc.paths['/v1/invoices'].post.responses).flatMap((r) => r['x-error-codes'] ?? []);
    for (const code of ['OFFLINE_MODE_UNKNOWN', 'OFFLINE_PERIOD_NOT_ALLOWED', 'OFFLINE_MARKING_INVALID', 'OFFLINE_MODE_MISMATCH', 'CORRECTED_INVOICE_NOT_FOUND', 'CORRECTED_INVOICE_NOT_OFFLINE', 'CORRECTED_INVOICE_NOT_REJECTED']) {
      expect(codes).toContain(code);
    }
  });

  it('refuses the same document with a different offline marking (idempotency conflict, clear message)', async () => {
    const first = await post({ erpDocumentId: 'OFF/IC/1', xml: xml('OFF/IC/1'), offline: { mode: 'offline24' } });
    expect(first.status).toBe(201);
    const online = await post({ erpDocumentId: 'OFF/IC/1', xml: xml('OFF/IC/1') });
    expect(online).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT', details: { existingInvoiceId: first.body.id, existingOffline: { mode: 'offline24' } } } } });
    expect(online.body.error.message).toBe(
      `ERP document 'OFF/IC/1' was already submitted with the same content but marked offline24 (invoice ${first.body.id}); this submission is marked online (no offline marking)`,
    );
    const otherMode = await post({ erpDocumentId: 'OFF/IC/1', xml: xml('OFF/IC/1'), offline: { mode: 'failure' } });
    expect(otherMode).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT' } } });
    expect((await post({ erpDocumentId: 'OFF/IC/1', xml: xml('OFF/IC/1'), offline: { mode: 'offline24' } })).status).toBe(200);
  });

  describe('refusals', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      ids['otherTenantRejected'] = (await rejectedOffline('OFF/X/other', { mode: 'offline24' }, otherKey, 'other')).id;
      const online = await post({ erpDocumentId: 'OFF/X/online', xml: xml('OFF/X/online') });
      ids['online'] = online.body.id;
      await validate(online.body.id);
      await waitFor(async () => (await stateOf(online.body.id)) === 'QUEUED', { what: 'online QUEUED', timeoutMs: 60_000 });
      await rejectAtSend(online.body.id, 'OFF/X/online');
      const pending = await post({ erpDocumentId: 'OFF/X/pending', xml: xml('OFF/X/pending'), offline: { mode: 'offline24' } });
      ids['pendingOffline'] = pending.body.id;
      ids['rejectedOffline24'] = (await rejectedOffline('OFF/X/rejected', { mode: 'offline24' })).id;
    }, 180_000);

    const cases: Array<[string, () => Record<string, unknown>, number, string]> = [
      ['an unknown mode', () => ({ offline: { mode: 'offline48' } }), 400, 'OFFLINE_MODE_UNKNOWN'],
      ['periodEndedAt with offline24', () => ({ offline: { mode: 'offline24', periodEndedAt: '2026-01-15T12:00:00Z' } }), 400, 'OFFLINE_PERIOD_NOT_ALLOWED'],
      ['a period end without a zone', () => ({ offline: { mode: 'failure', periodEndedAt: '2026-01-15 12:00' } }), 400, 'OFFLINE_MARKING_INVALID'],
      ['a correction of an invoice that does not exist', () => ({ technicalCorrectionOf: '00000000-0000-4000-8000-000000000000' }), 422, 'CORRECTED_INVOICE_NOT_FOUND'],
      ["a correction of another tenant's rejected offline invoice", () => ({ technicalCorrectionOf: ids['otherTenantRejected'] }), 422, 'CORRECTED_INVOICE_NOT_FOUND'],
      ['a correction of an online invoice', () => ({ technicalCorrectionOf: ids['online'] }), 422, 'CORRECTED_INVOICE_NOT_OFFLINE'],
      ['a correction of an offline invoice KSeF has not rejected', () => ({ technicalCorrectionOf: ids['pendingOffline'] }), 409, 'CORRECTED_INVOICE_NOT_REJECTED'],
      ['a correction with another offline mode', () => ({ technicalCorrectionOf: ids['rejectedOffline24'], offline: { mode: 'failure' } }), 422, 'OFFLINE_MODE_MISMATCH'],
      ['a correction id that is no UUID', () => ({ technicalCorrectionOf: 'FV/1' }), 400, 'REQUEST_INVALID'],
    ];

    it.each(cases)('HTTP: %s', async (_what, extra, status, code) => {
      const erpDocumentId = `OFF/X/${code}/${Math.random().toString(36).slice(2, 8)}`;
      const res = await post({ erpDocumentId, xml: xml(erpDocumentId), ...extra() });
      expect(res).toMatchObject({ status, body: { error: { code } } });
      expect(await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = $1`, [erpDocumentId])).toEqual([]);
    });

    it('HTTP: a missing invoice and another tenant\'s answer with the same message shape (nothing disclosed)', async () => {
      const missing = await post({ erpDocumentId: 'OFF/X/m1', xml: xml('OFF/X/m1'), technicalCorrectionOf: '00000000-0000-4000-8000-000000000000' });
      const foreign = await post({ erpDocumentId: 'OFF/X/m2', xml: xml('OFF/X/m2'), technicalCorrectionOf: ids['otherTenantRejected'] });
      const shape = (r: { body: Answer }, id: string) => r.body.error.message.replace(id, '<id>');
      expect(shape(foreign, ids['otherTenantRejected'])).toBe(shape(missing, '00000000-0000-4000-8000-000000000000'));
      expect(Object.keys(foreign.body.error.details)).toEqual(['technicalCorrectionOf']);
    });

    it.each(cases.filter(([, , , code]) => code !== 'REQUEST_INVALID'))('Kafka: %s → intake.rejected and a dead-letter record', async (_what, extra, _status, code) => {
      const erpDocumentId = `OFF/XK/${code}/${Math.random().toString(36).slice(2, 8)}`;
      const source = await kafkaSubmit({ erpDocumentId, xmlBase64: Buffer.from(xml(erpDocumentId)).toString('base64'), ...extra() });
      const rejection = await waitFor(() => rejected.of('intake.rejected').find((e) => (e.payload as ReceivedPayload).sourceMessageId === source.id), { what: `rejection ${code}`, timeoutMs: 30_000 });
      expect(rejection.payload).toMatchObject({ code, erpDocumentId });
      const dead = await waitFor(() => deadLetters.messages.find((m) => m.envelope.id === source.id), { what: 'dead letter', timeoutMs: 30_000 });
      expect(dead.envelope.headers[DLT_HEADER.errorCode]).toBe(code);
    });

    it('Kafka: a technical correction is taken in with its hash', async () => {
      const original = await rejectedOffline('OFF/KTC/1', { mode: 'total-failure' });
      await kafkaSubmit({ erpDocumentId: 'OFF/KTC/1-fix', xmlBase64: Buffer.from(xml('OFF/KTC/1-fix')).toString('base64'), technicalCorrectionOf: original.id });
      const id = await waitFor(async () => ((await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = 'OFF/KTC/1-fix'`)) as Array<{ id: string }>)[0]?.id, {
        what: 'correction taken in',
        timeoutMs: 30_000,
      });
      expect((await receivedOf(id)).payload).toMatchObject({ offline: { mode: 'total-failure' }, hashOfCorrectedInvoice: Buffer.from(original.contentSha256, 'hex').toString('base64') });
    });
  });

  it("panel resubmit of a rejected offline invoice goes in as its technical correction", async () => {
    const original = await rejectedOffline('OFF/P/1', { mode: 'offline24' });
    const res = await fetch(`${intake.url}/internal/v1/panel/invoices/${original.id}/resubmit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', user: 'ops', reason: 'schema fix', erpDocumentId: 'OFF/P/1-fix', xml: xml('OFF/P/1-fix') }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { invoiceId: string; created: boolean; oldState: string };
    expect(body).toMatchObject({ created: true, oldState: 'REJECTED' });
    const corrected = await get(body.invoiceId);
    expect(corrected).toMatchObject({ technicalCorrectionOf: original.id, offline: { mode: 'offline24' }, metadata: { correctionOf: original.id, correctedBy: 'panel:ops' } });
    expect((await receivedOf(body.invoiceId)).payload).toMatchObject({ offline: { mode: 'offline24' }, hashOfCorrectedInvoice: Buffer.from(original.contentSha256, 'hex').toString('base64') });

    // A rejected ONLINE invoice is still replaced by an ordinary (online) correction.
    const online = await post({ erpDocumentId: 'ON/P/1', xml: xml('ON/P/1') });
    await validate(online.body.id);
    await waitFor(async () => (await stateOf(online.body.id)) === 'QUEUED', { what: 'QUEUED', timeoutMs: 60_000 });
    await rejectAtSend(online.body.id, 'ON/P/1');
    const plain = await fetch(`${intake.url}/internal/v1/panel/invoices/${online.body.id}/resubmit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', user: 'ops', reason: 'fix', erpDocumentId: 'ON/P/1-fix', xml: xml('ON/P/1-fix') }),
    });
    const plainId = ((await plain.json()) as { invoiceId: string }).invoiceId;
    const view = await get(plainId);
    expect(view.offline).toBeUndefined();
    expect(view.technicalCorrectionOf).toBeUndefined();
    expect((await receivedOf(plainId)).payload).not.toHaveProperty('hashOfCorrectedInvoice');
  });
});
