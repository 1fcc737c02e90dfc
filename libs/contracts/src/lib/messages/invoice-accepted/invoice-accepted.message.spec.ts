import { TOPICS } from '../../topics';
import { invoiceProcessing } from '../invoice-processing/invoice-processing.message';
import { invoiceAccepted } from './invoice-accepted.message';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const envelope = (type: string, payload: unknown) => ({ id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10', type, version: 1, aggregateId: invoiceId, tenant: 't', occurredAt: '2026-01-01T10:00:00.000Z', payload });
const base = { invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', sessionReferenceNumber: '20260101-SO-1' };

describe('status-poller outcome messages', () => {
  it('sit on their own topics', () => {
    expect([invoiceAccepted.topic, invoiceProcessing.topic]).toEqual([TOPICS.invoiceAccepted, TOPICS.invoiceProcessing]);
  });

  it('invoice.accepted needs a KSeF number and its acquisition date, and defaults to a non-duplicate with its UPO', () => {
    const payload = { ...base, ksefNumber: '5265877635-20260101-0100001AF629-AF', acquisitionDate: '2026-01-01T10:00:01Z', invoiceReferenceNumber: 'EE-1', invoiceHash: 'h', upoXml: '<UPO/>', acceptedAt: '2026-01-01T10:00:02Z' };
    expect(invoiceAccepted.parse(envelope('invoice.accepted', payload)).payload).toMatchObject({ duplicate: false, upoPending: false });
    expect(() => invoiceAccepted.parse(envelope('invoice.accepted', { ...payload, ksefNumber: undefined }))).toThrow(/ksefNumber/);
    expect(() => invoiceAccepted.parse(envelope('invoice.accepted', { ...payload, acquisitionDate: 'yesterday' }))).toThrow();
  });

  it('invoice.processing carries KSeF status code and description', () => {
    const parsed = invoiceProcessing.parse(envelope('invoice.processing', { ...base, statusCode: 150, description: 'Trwa przetwarzanie', observedAt: '2026-01-01T10:00:01Z' }));
    expect(parsed.payload.statusCode).toBe(150);
  });
});
