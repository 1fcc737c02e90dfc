import { createHash } from 'node:crypto';
import type {
  Envelope,
  InvoiceAccepted,
  InvoiceEscalated,
  InvoiceInvalid,
  InvoiceRejected,
  InvoiceUpoReceived,
  NotificationInvoiceAccepted,
  NotificationInvoiceEscalated,
  NotificationInvoiceRejected,
  NotificationInvoiceUpoAvailable,
  Upo,
} from '@ksef-bridge/contracts';

/** Public event types a subscription can ask for; short CLI names map to them. */
export const PUBLIC_EVENT_TYPES = ['notification.invoice-accepted', 'notification.invoice-rejected', 'notification.invoice-escalated', 'notification.invoice-upo-available', 'notification.ksef-availability-changed', 'notification.ksef-announcement-changed'] as const;
export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number];

/** `accepted`, `invoice-accepted` or `notification.invoice-accepted` → the full type; throws on anything else. */
export function parseEventTypes(list: string | undefined): PublicEventType[] {
  if (list === undefined || list.trim() === '' || list.trim() === 'all') return [...PUBLIC_EVENT_TYPES];
  const types = list.split(',').map((raw) => {
    const name = raw.trim();
    const full = PUBLIC_EVENT_TYPES.find((t) => t === name || t === `notification.${name}` || t === `notification.invoice-${name}`);
    if (!full) throw new Error(`unknown event type '${name}' (expected: ${PUBLIC_EVENT_TYPES.join(', ')}, or accepted, rejected, escalated, upo-available, ksef-availability-changed, ksef-announcement-changed)`);
    return full;
  });
  return [...new Set(types)];
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const availableUpo = (xml: string) => ({ status: 'available' as const, sha256: sha256Hex(xml), sizeBytes: Buffer.byteLength(xml, 'utf8'), xml });

/** invoice.accepted → the public shape; the UPO travels inline with its hash and size. */
export function acceptedNotification(input: InvoiceAccepted): NotificationInvoiceAccepted {
  const upo: Upo = input.upoXml ? availableUpo(input.upoXml) : { status: 'pending' };
  return {
    invoiceId: input.invoiceId,
    erpDocumentId: input.erpDocumentId,
    sellerNip: input.contextNip,
    ksefNumber: input.ksefNumber,
    acquisitionDate: input.acquisitionDate,
    acceptedAt: input.acceptedAt,
    duplicate: input.duplicate,
    invoiceHash: input.invoiceHash,
    sessionReferenceNumber: input.sessionReferenceNumber,
    invoiceReferenceNumber: input.invoiceReferenceNumber,
    upo,
  };
}

/** invoice.rejected (KSeF refused the send, or its processing ended in a rejection) → the public shape. */
export function ksefRejectedNotification(input: InvoiceRejected): NotificationInvoiceRejected {
  const codes = input.stage === 'processing' && input.processingCode !== undefined ? [input.processingCode] : input.exceptionCodes;
  const message = input.description || 'KSeF rejected the invoice';
  return {
    invoiceId: input.invoiceId,
    erpDocumentId: input.erpDocumentId,
    sellerNip: input.contextNip,
    reason: input.stage === 'send' ? 'ksef-send' : 'ksef-processing',
    errors: codes.length ? codes.map((code) => ({ code: String(code), message })) : [{ code: 'KSEF_REJECTED', message }],
    ksef: {
      processingCode: input.processingCode,
      exceptionCodes: input.exceptionCodes,
      description: input.description,
      details: input.details,
      httpStatus: input.httpStatus,
      sessionReferenceNumber: input.sessionReferenceNumber,
      invoiceReferenceNumber: input.invoiceReferenceNumber,
      invoiceHash: input.invoiceHash,
    },
    rejectedAt: input.rejectedAt,
  };
}

/** invoice.invalid (our validator) → a public rejection with reason `validation`: for the ERP it is one. */
export function validationRejectedNotification(input: InvoiceInvalid, occurredAt: string): NotificationInvoiceRejected {
  return {
    invoiceId: input.invoiceId,
    erpDocumentId: input.erpDocumentId,
    reason: 'validation',
    validationStage: input.stage,
    errors: input.issues.map((i) => ({ code: i.code, message: i.messagePl, messageEn: i.messageEn, xpath: i.xpath, line: i.line })),
    rejectedAt: occurredAt,
  };
}

/** invoice.upo-received (a UPO KSeF issued after the acceptance was announced) → the public shape. */
export function upoAvailableNotification(input: InvoiceUpoReceived): NotificationInvoiceUpoAvailable {
  return { invoiceId: input.invoiceId, erpDocumentId: input.erpDocumentId, sellerNip: input.contextNip, ksefNumber: input.ksefNumber, upo: availableUpo(input.upoXml), receivedAt: input.receivedAt };
}

export function escalatedNotification(input: InvoiceEscalated): NotificationInvoiceEscalated {
  return {
    invoiceId: input.invoiceId,
    erpDocumentId: input.erpDocumentId,
    sellerNip: input.contextNip,
    actor: input.actor,
    code: input.code,
    message: input.message,
    attempts: input.attempts,
    lastHttpStatus: input.lastHttpStatus,
    referenceNumbers: input.referenceNumbers,
    escalatedAt: input.escalatedAt,
  };
}

/**
 * The JSON body of a webhook: the public envelope without its internal headers (trace context). A UPO larger than
 * `upoInlineMaxBytes` loses its `xml` (its `sha256` and `sizeBytes` stay; the Kafka event always carries it); with
 * `upoLinkBaseUrl` an available UPO also carries `href`, intake's UPO download for this invoice.
 */
export function webhookBody(envelope: Envelope, upoInlineMaxBytes: number, upoLinkBaseUrl?: string): string {
  const payload = envelope.payload as { upo?: Upo };
  let body: unknown = payload;
  if (payload.upo) {
    const upo = { ...payload.upo };
    if (upo.xml !== undefined && (upo.sizeBytes ?? Buffer.byteLength(upo.xml, 'utf8')) > upoInlineMaxBytes) delete upo.xml;
    if (upoLinkBaseUrl && upo.status === 'available') upo.href = `${upoLinkBaseUrl.replace(/\/+$/, '')}/v1/invoices/${encodeURIComponent(envelope.aggregateId)}/upo`;
    body = { ...payload, upo };
  }
  // Not every public event is about an invoice (KSeF availability): those carry no `invoiceId`.
  const invoiceId = envelope.type.startsWith('notification.invoice-') ? envelope.aggregateId : undefined;
  return JSON.stringify({ id: envelope.id, type: envelope.type, version: envelope.version, occurredAt: envelope.occurredAt, tenant: envelope.tenant, invoiceId, payload: body });
}
