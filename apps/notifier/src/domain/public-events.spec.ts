import { createHash } from 'node:crypto';
import { notificationInvoiceAccepted, notificationInvoiceEscalated, notificationInvoiceRejected, notificationInvoiceUpoAvailable, type InvoiceAccepted } from '@ksef-bridge/contracts';
import { acceptedNotification, escalatedNotification, ksefRejectedNotification, parseEventTypes, upoAvailableNotification, validationRejectedNotification, webhookBody } from './public-events';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const env = (type: string, payload: unknown) => ({ id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10', type, version: 1, aggregateId: invoiceId, tenant: 'acme', occurredAt: '2026-01-01T10:00:00.000Z', payload, headers: { traceparent: '00-abc' } });
const accepted: InvoiceAccepted = {
  invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', ksefNumber: '5265877635-20260101-0100001AF629-AF', acquisitionDate: '2026-01-01T10:00:01Z',
  sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1', invoiceHash: 'aGFzaA==', upoXml: '<Potwierdzenie>ok</Potwierdzenie>', upoPending: false, duplicate: true, acceptedAt: '2026-01-01T10:00:02Z',
};

describe('internal outcomes → public events', () => {
  it('accepted: KSeF number, acquisition date, duplicate flag and the UPO with its SHA-256, valid against the public contract', () => {
    const p = acceptedNotification(accepted);
    expect(p).toMatchObject({ sellerNip: '5265877635', ksefNumber: accepted.ksefNumber, duplicate: true, upo: { status: 'available', xml: accepted.upoXml, sizeBytes: 33 } });
    expect(p.upo.sha256).toBe(createHash('sha256').update(accepted.upoXml as string).digest('hex'));
    expect(() => notificationInvoiceAccepted.parse(env('notification.invoice-accepted', p))).not.toThrow();
    expect(acceptedNotification({ ...accepted, upoXml: undefined, upoPending: true }).upo).toEqual({ status: 'pending' });
  });

  it('rejected by KSeF at send or processing, and by validation, share one shape with a reason', () => {
    const base = { invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', details: ['d'], rejectedAt: '2026-01-01T10:00:00Z' };
    const send = ksefRejectedNotification({ ...base, stage: 'send', exceptionCodes: [21405, 21406], description: 'Błąd', httpStatus: 400 });
    expect(send).toMatchObject({ reason: 'ksef-send', errors: [{ code: '21405', message: 'Błąd' }, { code: '21406', message: 'Błąd' }], ksef: { httpStatus: 400, details: ['d'] } });
    const processing = ksefRejectedNotification({ ...base, stage: 'processing', processingCode: 450, exceptionCodes: [], description: 'Błąd weryfikacji' });
    expect(processing).toMatchObject({ reason: 'ksef-processing', errors: [{ code: '450' }] });
    const invalid = validationRejectedNotification({ invoiceId, erpDocumentId: 'FV/1', stage: 'rules', issues: [{ code: 'NIP_CHECKSUM', messagePl: 'Zła suma', messageEn: 'Bad checksum', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' }] }, '2026-01-01T10:00:00.000Z');
    expect(invalid).toMatchObject({ reason: 'validation', validationStage: 'rules', errors: [{ code: 'NIP_CHECKSUM', message: 'Zła suma', messageEn: 'Bad checksum', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' }] });
    expect(invalid.sellerNip).toBeUndefined();
    for (const p of [send, processing, invalid]) expect(() => notificationInvoiceRejected.parse(env('notification.invoice-rejected', p))).not.toThrow();
  });

  it('a late UPO becomes upo-available with its hash, valid against the public contract', () => {
    const p = upoAvailableNotification({ invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', ksefNumber: accepted.ksefNumber, sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1', upoXml: '<UPO/>', acceptedAt: '2026-01-01T10:00:02Z', receivedAt: '2026-01-01T11:00:00Z' });
    expect(p.upo).toEqual({ status: 'available', sha256: createHash('sha256').update('<UPO/>').digest('hex'), sizeBytes: 6, xml: '<UPO/>' });
    expect(() => notificationInvoiceUpoAvailable.parse(env('notification.invoice-upo-available', p))).not.toThrow();
  });

  it('escalated keeps who gave up, the code and the attempts', () => {
    const p = escalatedNotification({ invoiceId, erpDocumentId: 'FV/1', contextNip: '5265877635', actor: 'sender', code: 'ATTEMPTS_EXHAUSTED', message: 'm', attempts: 8, referenceNumbers: { session: 'SO-1' }, escalatedAt: '2026-01-01T10:00:00Z' });
    expect(() => notificationInvoiceEscalated.parse(env('notification.invoice-escalated', p))).not.toThrow();
    expect(p).toMatchObject({ actor: 'sender', attempts: 8, referenceNumbers: { session: 'SO-1' } });
  });

  it('webhook body: no internal headers; the UPO XML inline only up to the limit, its hash always', () => {
    const envelope = env('notification.invoice-accepted', acceptedNotification(accepted));
    const small = JSON.parse(webhookBody(envelope, 1_000));
    expect(small).toMatchObject({ id: envelope.id, type: envelope.type, version: 1, tenant: 'acme', invoiceId, payload: { upo: { xml: accepted.upoXml } } });
    expect(small.headers).toBeUndefined();
    const large = JSON.parse(webhookBody(envelope, 10));
    expect(large.payload.upo).toEqual({ status: 'available', sha256: small.payload.upo.sha256, sizeBytes: 33 });
    const linked = JSON.parse(webhookBody(envelope, 10, 'https://bridge.example.com/'));
    expect(linked.payload.upo.href).toBe(`https://bridge.example.com/v1/invoices/${invoiceId}/upo`);
    expect(JSON.parse(webhookBody(env('notification.invoice-accepted', acceptedNotification({ ...accepted, upoXml: undefined })), 10, 'https://b.example')).payload.upo).toEqual({ status: 'pending' });
  });

  it('event type filters accept short names and refuse unknown ones', () => {
    expect(parseEventTypes(undefined)).toHaveLength(6);
    expect(parseEventTypes('all')).toContain('notification.ksef-announcement-changed');
    expect(parseEventTypes('ksef-availability-changed')).toEqual(['notification.ksef-availability-changed']);
    expect(parseEventTypes('ksef-announcement-changed,notification.ksef-announcement-changed')).toEqual(['notification.ksef-announcement-changed']);
    expect(parseEventTypes('upo-available')).toEqual(['notification.invoice-upo-available']);
    expect(parseEventTypes('accepted,invoice-rejected,accepted')).toEqual(['notification.invoice-accepted', 'notification.invoice-rejected']);
    expect(() => parseEventTypes('paid')).toThrow(/unknown event type 'paid'/);
  });
});
