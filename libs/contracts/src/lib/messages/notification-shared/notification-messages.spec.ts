import { TOPICS } from '../../topics';
import { notificationInvoiceAccepted } from '../notification-invoice-accepted/notification-invoice-accepted.message';
import { notificationInvoiceEscalated } from '../notification-invoice-escalated/notification-invoice-escalated.message';
import { notificationInvoiceRejected } from '../notification-invoice-rejected/notification-invoice-rejected.message';
import { notificationInvoiceUpoAvailable } from '../notification-invoice-upo-available/notification-invoice-upo-available.message';
import { notifierWebhookDeadLettered } from '../notifier-webhook-dead-lettered/notifier-webhook-dead-lettered.message';

const invoiceId = '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11';
const envelope = (type: string, payload: unknown) => ({ id: '0b9e4f0c-8e54-4b0a-9d6f-1f7f3a0d2c10', type, version: 1, aggregateId: invoiceId, tenant: 't', occurredAt: '2026-01-01T10:00:00.000Z', payload });
const sha = 'a'.repeat(64);

describe('public notification contracts', () => {
  it('sit on ksef.notifications.* topics with a major version, the dead letters on the notifier area', () => {
    expect([notificationInvoiceAccepted.topic, notificationInvoiceRejected.topic, notificationInvoiceEscalated.topic]).toEqual([
      'ksef.notifications.invoice-accepted.v1',
      'ksef.notifications.invoice-rejected.v1',
      'ksef.notifications.invoice-escalated.v1',
    ]);
    expect(notifierWebhookDeadLettered.topic).toBe(TOPICS.notifierWebhookDeadLettered);
  });

  it('accepted needs a KSeF number, acquisition date and a UPO block; the XML itself is optional', () => {
    const payload = {
      invoiceId, erpDocumentId: 'FV/1', sellerNip: '5265877635', ksefNumber: '5265877635-20260101-0100001AF629-AF', acquisitionDate: '2026-01-01T10:00:01Z',
      acceptedAt: '2026-01-01T10:00:02Z', duplicate: false, invoiceHash: 'h', sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1',
      upo: { status: 'available', sha256: sha, sizeBytes: 10 },
    };
    expect(notificationInvoiceAccepted.parse(envelope('notification.invoice-accepted', payload)).payload.upo.xml).toBeUndefined();
    expect(() => notificationInvoiceAccepted.parse(envelope('notification.invoice-accepted', { ...payload, upo: undefined }))).toThrow(/upo/);
    expect(() => notificationInvoiceAccepted.parse(envelope('notification.invoice-accepted', { ...payload, upo: { status: 'available', sha256: 'XYZ' } }))).toThrow(/sha256/);
  });

  it('rejected has a reason and at least one error; validation errors keep both languages and the XPath', () => {
    const payload = { invoiceId, erpDocumentId: 'FV/1', reason: 'validation', validationStage: 'rules', rejectedAt: '2026-01-01T10:00:00Z', errors: [{ code: 'NIP_CHECKSUM', message: 'Zła suma', messageEn: 'Bad checksum', xpath: '/Faktura/Podmiot1' }] };
    expect(notificationInvoiceRejected.parse(envelope('notification.invoice-rejected', payload)).payload.errors[0].xpath).toBe('/Faktura/Podmiot1');
    expect(() => notificationInvoiceRejected.parse(envelope('notification.invoice-rejected', { ...payload, errors: [] }))).toThrow();
    expect(() => notificationInvoiceRejected.parse(envelope('notification.invoice-rejected', { ...payload, reason: 'other' }))).toThrow(/reason/);
  });

  it('upo-available carries an available UPO with its hash', () => {
    const payload = { invoiceId, erpDocumentId: 'FV/1', sellerNip: '5265877635', ksefNumber: '5265877635-20260101-0100001AF629-AF', upo: { status: 'available', sha256: sha, sizeBytes: 6, xml: '<UPO/>' }, receivedAt: '2026-01-01T11:00:00Z' };
    expect(notificationInvoiceUpoAvailable.topic).toBe('ksef.notifications.invoice-upo-available.v1');
    expect(notificationInvoiceUpoAvailable.parse(envelope('notification.invoice-upo-available', payload)).payload.upo.xml).toBe('<UPO/>');
    expect(() => notificationInvoiceUpoAvailable.parse(envelope('notification.invoice-upo-available', { ...payload, upo: { status: 'pending' } }))).toThrow();
  });

  it('escalated and the dead-letter event validate their required fields', () => {
    const esc = { invoiceId, erpDocumentId: 'FV/1', sellerNip: '5265877635', actor: 'sender', code: 'ATTEMPTS_EXHAUSTED', message: 'm', attempts: 8, referenceNumbers: {}, escalatedAt: '2026-01-01T10:00:00Z' };
    expect(notificationInvoiceEscalated.parse(envelope('notification.invoice-escalated', esc)).payload.attempts).toBe(8);
    expect(() => notificationInvoiceEscalated.parse(envelope('notification.invoice-escalated', { ...esc, actor: '' }))).toThrow();
    const dead = { deliveryId: invoiceId, subscriptionId: invoiceId, eventId: invoiceId, eventType: 'notification.invoice-accepted', invoiceId, endpointOrigin: 'https://erp.example', reason: 'attempts-exhausted', attempts: 12, deadAt: '2026-01-01T10:00:00Z' };
    expect(notifierWebhookDeadLettered.parse(envelope('notifier.webhook-dead-lettered', dead)).payload.reason).toBe('attempts-exhausted');
    expect(() => notifierWebhookDeadLettered.parse(envelope('notifier.webhook-dead-lettered', { ...dead, reason: 'bored' }))).toThrow();
  });
});
