import { randomUUID } from 'node:crypto';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { DLT_HEADER } from '@ksef-bridge/kafka';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type Collected, type IntakeHarness } from '../test/intake-harness';

// The Kafka door has the HTTP door's semantics: new → invoice, same again → nothing new, different content or broken
// input → intake.rejected for the ERP plus a dead-letter record for an operator.
describe('Kafka door (erp.invoice-submitted)', () => {
  let intake: IntakeHarness;
  let received: Collected;
  let rejected: Collected;
  let deadLetters: Collected;

  beforeAll(async () => {
    intake = await startIntake();
    await intake.tenant('acme');
    received = await intake.collect(intake.topics.invoiceReceived);
    rejected = await intake.collect(intake.topics.intakeRejected);
    deadLetters = await intake.collect(deadLetterTopic(intake.topics.erpInvoiceSubmitted));
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const submit = async (payload: unknown, tenant = 'acme'): Promise<Envelope> => {
    const envelope = newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: String((payload as { erpDocumentId?: string }).erpDocumentId ?? 'x'), tenant, payload });
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, envelope);
    return envelope;
  };
  const xmlBase64 = (n: string, net = 100) => Buffer.from(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: n, netAmount: net })).toString('base64');
  const invoicesOf = (erpDocumentId: string) => intake.dataSource.query(`SELECT id, state FROM intake.invoices WHERE erp_document_id = $1`, [erpDocumentId]) as Promise<Array<{ id: string; state: string }>>;

  it('takes an invoice in once, however often it is published', async () => {
    await submit({ erpDocumentId: 'K/1', xmlBase64: xmlBase64('K/1'), metadata: { source: 'kafka' } });
    await submit({ erpDocumentId: 'K/1', xmlBase64: xmlBase64('K/1') });
    const marker = await submit({ erpDocumentId: 'K/marker', xmlBase64: xmlBase64('K/marker') });
    // Same partition key order is not guaranteed across keys: wait for both, then check nothing doubled.
    await waitFor(async () => (await invoicesOf('K/marker')).length === 1 && (await invoicesOf('K/1')).length === 1, { what: 'both invoices', timeoutMs: 30_000 });
    const [invoice] = await invoicesOf('K/1');
    await waitFor(() => received.of('invoice.received').some((e) => e.aggregateId === invoice.id), { what: 'invoice.received', timeoutMs: 30_000 });
    expect(marker.id).toBeDefined();
    const history = await intake.dataSource.query(`SELECT actor FROM intake.invoice_history WHERE invoice_id = $1`, [invoice.id]);
    expect(history).toEqual([{ actor: 'intake:kafka' }]);
    expect(rejected.messages.filter((m) => (m.envelope.payload as { erpDocumentId?: string }).erpDocumentId === 'K/1')).toHaveLength(0);
  });

  it.each([
    ['different content for a known document', { erpDocumentId: 'K/1', xmlBase64: xmlBase64('K/1', 999) }, 'acme', 'IDEMPOTENCY_CONFLICT'],
    ['malformed XML', { erpDocumentId: 'K/2', xmlBase64: Buffer.from('<a><b></a>').toString('base64') }, 'acme', 'XML_MALFORMED'],
    ['a missing document id', { xmlBase64: xmlBase64('K/3') }, 'acme', 'REQUEST_INVALID'],
    ['an unknown tenant', { erpDocumentId: 'K/4', xmlBase64: xmlBase64('K/4') }, 'nobody', 'UNKNOWN_TENANT'],
    ['a BOM', { erpDocumentId: 'K/5', xmlBase64: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a/>')]).toString('base64') }, 'acme', 'DOCUMENT_ENCODING'],
  ])('answers %s with intake.rejected and a dead-letter record', async (_what, payload, tenant, code) => {
    if (code === 'IDEMPOTENCY_CONFLICT') await waitFor(async () => (await invoicesOf('K/1')).length === 1, { what: 'K/1 taken in first', timeoutMs: 30_000 });
    const source = await submit(payload, tenant);
    const rejection = await waitFor(() => rejected.of('intake.rejected').find((e) => (e.payload as { sourceMessageId: string }).sourceMessageId === source.id), { what: `rejection ${code}`, timeoutMs: 30_000 });
    expect(rejection.payload).toMatchObject({ code, sourceTopic: intake.topics.erpInvoiceSubmitted });
    expect(rejection.tenant).toBe(tenant);
    const dead = await waitFor(() => deadLetters.messages.find((m) => m.envelope.id === source.id), { what: 'dead-letter record', timeoutMs: 30_000 });
    expect(dead.envelope.headers[DLT_HEADER.errorCode]).toBe(code);
    expect(dead.envelope.headers[DLT_HEADER.originalTopic]).toBe(intake.topics.erpInvoiceSubmitted);
  });

  it('records the validator verdicts: validated → QUEUED, invalid → INVALID with every issue', async () => {
    await submit({ erpDocumentId: 'K/ok', xmlBase64: xmlBase64('K/ok') });
    await submit({ erpDocumentId: 'K/bad', xmlBase64: xmlBase64('K/bad') });
    await waitFor(async () => (await invoicesOf('K/ok')).length === 1 && (await invoicesOf('K/bad')).length === 1, { what: 'invoices', timeoutMs: 30_000 });
    const [ok] = await invoicesOf('K/ok');
    const [bad] = await invoicesOf('K/bad');
    const statuses = await intake.collect(intake.topics.invoiceStatusChanged);
    const document = { invoiceId: ok.id, sha256: 'a'.repeat(64), sizeBytes: 10 };
    const validated = newEnvelope({
      type: 'invoice.validated',
      version: 1,
      aggregateId: '5261040828',
      tenant: 'acme',
      payload: { invoiceId: ok.id, erpDocumentId: 'K/ok', contextNip: '5261040828', form: 'FA(3)', invoiceNumber: 'K/ok', invoiceType: 'VAT', issueDate: '2026-01-15', document },
    });
    const issues = [
      { code: 'NIP_CHECKSUM', messagePl: 'Błędna suma kontrolna NIP', messageEn: 'Invalid NIP checksum', xpath: '/Faktura/Podmiot2/DaneIdentyfikacyjne/NIP' },
      { code: 'TOTAL_MISMATCH', messagePl: 'Suma nie zgadza się', messageEn: 'Total mismatch', xpath: '/Faktura/Fa/P_15' },
    ];
    const invalid = newEnvelope({ type: 'invoice.invalid', version: 1, aggregateId: bad.id, tenant: 'acme', payload: { invoiceId: bad.id, erpDocumentId: 'K/bad', stage: 'rules', issues } });
    await intake.publisher.publish(intake.topics.invoiceValidated, validated);
    await intake.publisher.publish(intake.topics.invoiceInvalid, invalid);
    // A redelivery of the same verdict has no second effect (inbox).
    await intake.publisher.publish(intake.topics.invoiceInvalid, invalid);

    await waitFor(async () => (await invoicesOf('K/ok'))[0].state === 'QUEUED' && (await invoicesOf('K/bad'))[0].state === 'INVALID', { what: 'verdicts recorded', timeoutMs: 30_000 });
    const history = await intake.dataSource.query(`SELECT invoice_id, from_state, to_state, actor, error_code, details FROM intake.invoice_history WHERE invoice_id = ANY($1) ORDER BY id`, [[ok.id, bad.id]]);
    expect(history.filter((h: { invoice_id: string }) => h.invoice_id === bad.id)).toEqual([
      expect.objectContaining({ from_state: null, to_state: 'RECEIVED' }),
      expect.objectContaining({ from_state: 'RECEIVED', to_state: 'INVALID', actor: 'validator', error_code: 'NIP_CHECKSUM', details: { stage: 'rules', issues } }),
    ]);
    const [row] = await intake.dataSource.query(`SELECT context_nip, invoice_number FROM intake.invoices WHERE id = $1`, [ok.id]);
    expect(row).toEqual({ context_nip: '5261040828', invoice_number: 'K/ok' });
    await waitFor(() => statuses.of('invoice.status-changed').filter((e) => [ok.id, bad.id].includes(e.aggregateId) && (e.payload as { from?: string }).from === 'RECEIVED').length === 2, {
      what: 'status-changed events',
      timeoutMs: 30_000,
    });
  });
});

describe('database guards', () => {
  let intake: IntakeHarness;
  let invoiceId: string;

  beforeAll(async () => {
    intake = await startIntake();
    const key = await intake.tenant('acme');
    const res = await fetch(`${intake.url}/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ erpDocumentId: 'DB/1', xml: buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'DB/1' }) }),
    });
    invoiceId = ((await res.json()) as { id: string }).id;
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  it('refuse an illegal state transition even from SQL', async () => {
    await expect(intake.dataSource.query(`UPDATE intake.invoices SET state = 'ACCEPTED' WHERE id = $1`, [invoiceId])).rejects.toThrow(/illegal invoice state transition RECEIVED -> ACCEPTED/);
    await intake.dataSource.query(`UPDATE intake.invoices SET state = 'QUEUED' WHERE id = $1`, [invoiceId]);
    await expect(intake.dataSource.query(`UPDATE intake.invoices SET state = 'RECEIVED' WHERE id = $1`, [invoiceId])).rejects.toThrow(/QUEUED -> RECEIVED/);
  });

  it('refuse an invoice that does not start as RECEIVED', async () => {
    await expect(
      intake.dataSource.query(`INSERT INTO intake.invoices (id, tenant_id, erp_document_id, content_sha256, size_bytes, state) VALUES ($1, 'acme', 'DB/2', $2, 1, 'QUEUED')`, [randomUUID(), 'b'.repeat(64)]),
    ).rejects.toThrow(/starts as RECEIVED/);
  });

  it('keep the history and the stored documents append-only', async () => {
    await expect(intake.dataSource.query(`UPDATE intake.invoice_history SET actor = 'x' WHERE invoice_id = $1`, [invoiceId])).rejects.toThrow(/append-only/);
    await expect(intake.dataSource.query(`DELETE FROM intake.invoice_history WHERE invoice_id = $1`, [invoiceId])).rejects.toThrow(/append-only/);
    await expect(intake.dataSource.query(`TRUNCATE intake.invoice_history`)).rejects.toThrow(/append-only/);
    await expect(intake.dataSource.query(`UPDATE intake.invoice_documents SET content = 'x' WHERE invoice_id = $1`, [invoiceId])).rejects.toThrow(/append-only/);
  });
});
