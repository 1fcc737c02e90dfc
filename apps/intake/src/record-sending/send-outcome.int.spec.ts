import { newEnvelope } from '@ksef-bridge/outbox';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

// The sender's receipt (invoice.submitted) moves a QUEUED invoice to SENT with KSeF's reference number, even when it
// overtakes the validator's verdict, and a redelivered receipt changes nothing.
describe('recording the sender outcome (invoice.submitted)', () => {
  let intake: IntakeHarness;

  beforeAll(async () => {
    intake = await startIntake();
    await intake.tenant('acme');
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const invoiceOf = async (erpDocumentId: string) =>
    ((await intake.dataSource.query(`SELECT id, state FROM intake.invoices WHERE erp_document_id = $1`, [erpDocumentId])) as Array<{ id: string; state: string }>)[0];

  it('records SENT after QUEUED although the receipt arrived first, once', async () => {
    const erp = newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: 'S/1', tenant: 'acme', payload: { erpDocumentId: 'S/1', xmlBase64: Buffer.from(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'S/1' })).toString('base64') } });
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, erp);
    const { id } = await waitFor(() => invoiceOf('S/1'), { what: 'invoice taken in', timeoutMs: 30_000 });

    const submitted = newEnvelope({
      type: 'invoice.submitted',
      version: 1,
      aggregateId: id,
      tenant: 'acme',
      payload: {
        invoiceId: id,
        erpDocumentId: 'S/1',
        contextNip: '5261040828',
        sessionReferenceNumber: '20260101-SO-0000000001-0000000001-01',
        invoiceReferenceNumber: '20260101-EE-0000000001-0000000001-01',
        invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
        submittedAt: new Date().toISOString(),
        attempt: 2,
        reconciled: true,
      },
    });
    // The receipt first: intake is still at RECEIVED and must wait, not drop it.
    await intake.publisher.publish(intake.topics.invoiceSubmitted, submitted);
    const validated = newEnvelope({
      type: 'invoice.validated',
      version: 1,
      aggregateId: '5261040828',
      tenant: 'acme',
      payload: { invoiceId: id, erpDocumentId: 'S/1', contextNip: '5261040828', form: 'FA(3)', invoiceNumber: 'S/1', invoiceType: 'VAT', issueDate: '2026-01-15', document: { invoiceId: id, sha256: 'a'.repeat(64), sizeBytes: 10 } },
    });
    // Proof that it was deferred as "intake is behind" (a retriable error), not dead-lettered.
    await waitFor(async () => (await intake.service.registry.getSingleMetricAsString('ksef_consumer_retries_total')).includes('code="INVOICE_STATE_BEHIND"'), {
      what: 'the early receipt deferred',
      timeoutMs: 30_000,
    });
    expect((await invoiceOf('S/1')).state).toBe('RECEIVED');
    await intake.publisher.publish(intake.topics.invoiceValidated, validated);
    await waitFor(async () => (await invoiceOf('S/1')).state === 'SENT', { what: 'invoice SENT', timeoutMs: 60_000 });
    // A redelivered receipt has no second effect.
    await intake.publisher.publish(intake.topics.invoiceSubmitted, submitted);
    await intake.publisher.publish(intake.topics.invoiceSubmitted, { ...submitted, id: newEnvelope({ type: 'x.y', version: 1, aggregateId: id, tenant: 'acme', payload: {} }).id });

    const history = (await intake.dataSource.query(`SELECT from_state, to_state, actor, ksef_reference_number, details FROM intake.invoice_history WHERE invoice_id = $1 ORDER BY id`, [id])) as Array<Record<string, unknown>>;
    await waitFor(async () => {
      const [{ c }] = await intake.dataSource.query(`SELECT count(*)::int AS c FROM intake.inbox WHERE consumer = 'intake.send-outcomes'`);
      return c === 2;
    }, { what: 'both receipt ids seen by the inbox', timeoutMs: 30_000 });
    const after = (await intake.dataSource.query(`SELECT count(*)::int AS c FROM intake.invoice_history WHERE invoice_id = $1`, [id]))[0].c;
    expect(history.map((h) => [h['from_state'], h['to_state']])).toEqual([
      [null, 'RECEIVED'],
      ['RECEIVED', 'QUEUED'],
      ['QUEUED', 'SENT'],
    ]);
    expect(history[2]).toMatchObject({ actor: 'sender', ksef_reference_number: '20260101-EE-0000000001-0000000001-01', details: expect.objectContaining({ reconciled: true, attempt: 2 }) });
    expect(after).toBe(3);
  });

  async function queued(erpDocumentId: string): Promise<string> {
    const xmlBase64 = Buffer.from(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: erpDocumentId })).toString('base64');
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: erpDocumentId, tenant: 'acme', payload: { erpDocumentId, xmlBase64 } }));
    const { id } = await waitFor(() => invoiceOf(erpDocumentId), { what: `${erpDocumentId} taken in`, timeoutMs: 30_000 });
    const document = { invoiceId: id, sha256: 'a'.repeat(64), sizeBytes: 10 };
    const payload = { invoiceId: id, erpDocumentId, contextNip: '5261040828', form: 'FA(3)', invoiceNumber: erpDocumentId, invoiceType: 'VAT', issueDate: '2026-01-15', document };
    await intake.publisher.publish(intake.topics.invoiceValidated, newEnvelope({ type: 'invoice.validated', version: 1, aggregateId: '5261040828', tenant: 'acme', payload }));
    await waitFor(async () => (await invoiceOf(erpDocumentId)).state === 'QUEUED', { what: `${erpDocumentId} QUEUED`, timeoutMs: 30_000 });
    return id;
  }

  it('records a send refused by KSeF as REJECTED and a send the sender gave up on as ESCALATED, with their facts', async () => {
    const [refused, stuck] = [await queued('S/refused'), await queued('S/stuck')];
    const base = { contextNip: '5261040828' };
    const rejected = newEnvelope({
      type: 'invoice.rejected',
      version: 1,
      aggregateId: refused,
      tenant: 'acme',
      payload: { ...base, invoiceId: refused, erpDocumentId: 'S/refused', stage: 'send', exceptionCodes: [21405], description: 'Błąd walidacji danych wejściowych', details: ['x'], httpStatus: 400, rejectedAt: new Date().toISOString() },
    });
    const escalated = newEnvelope({
      type: 'invoice.escalated',
      version: 1,
      aggregateId: stuck,
      tenant: 'acme',
      payload: { ...base, invoiceId: stuck, erpDocumentId: 'S/stuck', actor: 'sender', code: 'ATTEMPTS_EXHAUSTED', message: '8 attempts failed', attempts: 8, lastHttpStatus: 503, escalatedAt: new Date().toISOString() },
    });
    await intake.publisher.publish(intake.topics.invoiceRejected, rejected);
    await intake.publisher.publish(intake.topics.invoiceEscalated, escalated);
    await waitFor(async () => (await invoiceOf('S/refused')).state === 'REJECTED' && (await invoiceOf('S/stuck')).state === 'ESCALATED', { what: 'outcomes recorded', timeoutMs: 30_000 });
    const last = async (id: string) => ((await intake.dataSource.query(`SELECT from_state, to_state, actor, http_status, error_code FROM intake.invoice_history WHERE invoice_id = $1 ORDER BY id DESC LIMIT 1`, [id])) as Array<Record<string, unknown>>)[0];
    expect(await last(refused)).toEqual({ from_state: 'QUEUED', to_state: 'REJECTED', actor: 'sender', http_status: 400, error_code: 'KSEF_21405' });
    expect(await last(stuck)).toEqual({ from_state: 'QUEUED', to_state: 'ESCALATED', actor: 'sender', http_status: 503, error_code: 'ATTEMPTS_EXHAUSTED' });
  });
});
