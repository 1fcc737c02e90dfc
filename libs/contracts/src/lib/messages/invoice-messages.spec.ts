import { TOPICS } from '../topics';
import { erpInvoiceSubmitted } from './erp-invoice-submitted/erp-invoice-submitted.message';
import { intakeRejected } from './intake-rejected/intake-rejected.message';
import { invoiceInvalid } from './invoice-invalid/invoice-invalid.message';
import { invoiceReceived } from './invoice-received/invoice-received.message';
import { invoiceStatusChanged } from './invoice-status-changed/invoice-status-changed.message';
import { invoiceValidated } from './invoice-validated/invoice-validated.message';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const document = { invoiceId, sha256: 'a'.repeat(64), sizeBytes: 1234 };
const envelope = (type: string, payload: unknown, aggregateId = invoiceId) => ({
  id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10',
  type,
  version: 1,
  aggregateId,
  tenant: 'tenant-1',
  occurredAt: '2026-01-01T10:00:00.000Z',
  payload,
});

describe('invoice pipeline messages', () => {
  it('each sits on its own topic', () => {
    const topics = [erpInvoiceSubmitted, intakeRejected, invoiceReceived, invoiceValidated, invoiceInvalid, invoiceStatusChanged].map((c) => c.topic);
    expect(new Set(topics).size).toBe(topics.length);
    expect(invoiceValidated.topic).toBe(TOPICS.invoiceValidated);
  });

  it('erp.invoice-submitted needs a document id and base64 XML; metadata is optional', () => {
    expect(erpInvoiceSubmitted.parse(envelope('erp.invoice-submitted', { erpDocumentId: 'FV/1', xmlBase64: 'PGE+' }, 'FV/1')).payload.erpDocumentId).toBe('FV/1');
    expect(() => erpInvoiceSubmitted.parse(envelope('erp.invoice-submitted', { xmlBase64: 'PGE+' }))).toThrow(/erpDocumentId/);
    expect(() => erpInvoiceSubmitted.parse(envelope('erp.invoice-submitted', { erpDocumentId: 'FV/1', xmlBase64: 'x', metadata: { a: 1 } }))).toThrow();
  });

  it('invoice.received carries a claim check, never the XML', () => {
    const parsed = invoiceReceived.parse(envelope('invoice.received', { invoiceId, erpDocumentId: 'FV/1', document, receivedAt: '2026-01-01T10:00:00Z' }));
    expect(parsed.payload.document).toEqual(document);
    expect(() => invoiceReceived.parse(envelope('invoice.received', { invoiceId, erpDocumentId: 'FV/1', document: { ...document, sha256: 'XYZ' }, receivedAt: '2026-01-01T10:00:00Z' }))).toThrow();
  });

  it('invoice.validated names its KSeF context', () => {
    const payload = { invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', form: 'FA(3)', invoiceNumber: 'FV/1', invoiceType: 'VAT', issueDate: '2026-01-01', document };
    expect(invoiceValidated.parse(envelope('invoice.validated', payload, '5265877635')).payload.contextNip).toBe('5265877635');
    expect(() => invoiceValidated.parse(envelope('invoice.validated', { ...payload, contextNip: '123' }))).toThrow();
  });

  it('invoice.invalid lists at least one bilingual issue', () => {
    const issue = { code: 'NIP_CHECKSUM', messagePl: 'Błędna suma kontrolna NIP', messageEn: 'Invalid NIP checksum', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' };
    expect(invoiceInvalid.parse(envelope('invoice.invalid', { invoiceId, erpDocumentId: 'FV/1', stage: 'rules', issues: [issue] })).payload.issues).toHaveLength(1);
    expect(() => invoiceInvalid.parse(envelope('invoice.invalid', { invoiceId, erpDocumentId: 'FV/1', stage: 'rules', issues: [] }))).toThrow();
    expect(() => invoiceInvalid.parse(envelope('invoice.invalid', { invoiceId, erpDocumentId: 'FV/1', stage: 'rules', issues: [{ ...issue, messageEn: '' }] }))).toThrow();
  });

  it('invoice.status-changed only knows the states of the machine', () => {
    expect(invoiceStatusChanged.parse(envelope('invoice.status-changed', { invoiceId, erpDocumentId: 'FV/1', to: 'RECEIVED', actor: 'intake:http' })).payload.from).toBeUndefined();
    expect(() => invoiceStatusChanged.parse(envelope('invoice.status-changed', { invoiceId, erpDocumentId: 'FV/1', from: 'RECEIVED', to: 'DONE', actor: 'x' }))).toThrow();
  });

  it('intake.rejected has a stable code', () => {
    const payload = { sourceMessageId: 'm1', sourceTopic: TOPICS.erpInvoiceSubmitted, code: 'XML_MALFORMED', message: 'not XML' };
    expect(intakeRejected.parse(envelope('intake.rejected', payload, 'm1')).payload.code).toBe('XML_MALFORMED');
    expect(() => intakeRejected.parse(envelope('intake.rejected', { ...payload, code: 'bad code' }, 'm1'))).toThrow();
  });
});
