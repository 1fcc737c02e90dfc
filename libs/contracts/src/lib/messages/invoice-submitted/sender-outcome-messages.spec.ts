import { TOPICS } from '../../topics';
import { invoiceEscalated } from '../invoice-escalated/invoice-escalated.message';
import { invoiceRejected } from '../invoice-rejected/invoice-rejected.message';
import { invoiceSubmitted } from './invoice-submitted.message';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const envelope = (type: string, payload: unknown) => ({
  id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10',
  type,
  version: 1,
  aggregateId: invoiceId,
  tenant: 'tenant-1',
  occurredAt: '2026-01-01T10:00:00.000Z',
  payload,
});
const base = { invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635' };
const hash = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';

describe('sender outcome messages', () => {
  it('sit on the topics the contracts name', () => {
    expect([invoiceSubmitted.topic, invoiceRejected.topic, invoiceEscalated.topic]).toEqual([TOPICS.invoiceSubmitted, TOPICS.invoiceRejected, TOPICS.invoiceEscalated]);
  });

  it('invoice.submitted carries both KSeF reference numbers and the Base64 invoice hash', () => {
    const payload = { ...base, sessionReferenceNumber: '20260101-SO-1', invoiceReferenceNumber: '20260101-EE-1', invoiceHash: hash, submittedAt: '2026-01-01T10:00:00Z', attempt: 1, reconciled: false };
    expect(invoiceSubmitted.parse(envelope('invoice.submitted', payload)).payload.invoiceReferenceNumber).toBe('20260101-EE-1');
    expect(() => invoiceSubmitted.parse(envelope('invoice.submitted', { ...payload, invoiceHash: 'a'.repeat(64) }))).toThrow(/invoiceHash/);
    expect(() => invoiceSubmitted.parse(envelope('invoice.submitted', { ...payload, sessionReferenceNumber: undefined }))).toThrow();
    expect(() => invoiceSubmitted.parse(envelope('invoice.submitted', { ...payload, attempt: 0 }))).toThrow();
  });

  it('invoice.rejected says at which stage and with which KSeF codes', () => {
    const parsed = invoiceRejected.parse(envelope('invoice.rejected', { ...base, stage: 'processing', processingCode: 430, description: 'Błąd weryfikacji pliku faktury', rejectedAt: '2026-01-01T10:00:00Z' }));
    expect(parsed.payload).toMatchObject({ processingCode: 430, exceptionCodes: [], details: [] });
    expect(() => invoiceRejected.parse(envelope('invoice.rejected', { ...base, stage: 'later', description: 'x', rejectedAt: '2026-01-01T10:00:00Z' }))).toThrow();
  });

  it('invoice.escalated has a stable code and the attempts made', () => {
    const payload = { ...base, actor: 'sender', code: 'ATTEMPTS_EXHAUSTED', message: '5 attempts failed', attempts: 5, escalatedAt: '2026-01-01T10:00:00Z' };
    expect(invoiceEscalated.parse(envelope('invoice.escalated', payload)).payload.referenceNumbers).toEqual({});
    expect(() => invoiceEscalated.parse(envelope('invoice.escalated', { ...payload, code: 'not stable' }))).toThrow();
  });
});

describe('invoice.submitted modes', () => {
  const payload = { ...base, sessionReferenceNumber: '20260101-SB-1', invoiceHash: hash, submittedAt: '2026-01-01T10:00:00Z', attempt: 1, reconciled: false };
  it('defaults to online, which needs the invoice reference number', () => {
    expect(() => invoiceSubmitted.parse(envelope('invoice.submitted', payload))).toThrow(/invoiceReferenceNumber/);
    expect(invoiceSubmitted.parse(envelope('invoice.submitted', { ...payload, invoiceReferenceNumber: 'EE-1' })).payload.mode).toBe('online');
  });
  it('lets a batch send leave the invoice reference number to the status-poller', () => {
    expect(invoiceSubmitted.parse(envelope('invoice.submitted', { ...payload, mode: 'batch' })).payload.invoiceReferenceNumber).toBeUndefined();
  });
});
