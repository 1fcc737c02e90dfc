import { TOPICS } from '../../topics';
import { invoiceUpoReceived } from './invoice-upo-received.message';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const envelope = (payload: unknown) => ({ id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10', type: 'invoice.upo-received', version: 1, aggregateId: invoiceId, tenant: 't', occurredAt: '2026-01-01T10:00:00.000Z', payload });
const payload = {
  invoiceId,
  erpDocumentId: 'FV/1',
  contextNip: '5265877635',
  ksefNumber: '5265877635-20260101-0100001AF629-AF',
  sessionReferenceNumber: '20260101-SO-1',
  invoiceReferenceNumber: '20260101-EE-1',
  upoXml: '<Potwierdzenie/>',
  acceptedAt: '2026-01-01T10:00:02Z',
  receivedAt: '2026-01-01T10:20:00Z',
};

describe('invoice.upo-received', () => {
  it('sits on its own topic', () => {
    expect(invoiceUpoReceived.topic).toBe(TOPICS.invoiceUpoReceived);
  });

  it('carries the late UPO of a KSeF number; the UPO is required', () => {
    expect(invoiceUpoReceived.parse(envelope(payload)).payload.ksefNumber).toBe(payload.ksefNumber);
    expect(() => invoiceUpoReceived.parse(envelope({ ...payload, upoXml: '' }))).toThrow();
    expect(() => invoiceUpoReceived.parse(envelope({ ...payload, ksefNumber: 'short' }))).toThrow();
  });
});
