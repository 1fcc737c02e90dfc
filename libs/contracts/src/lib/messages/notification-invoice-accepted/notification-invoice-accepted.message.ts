import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { notificationBaseShape, upoSchema } from '../notification-shared/notification-fields.schema';

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: KSeF accepted the invoice; it exists legally under
 * `ksefNumber` from `acquisitionDate`. Key: invoice id. Exactly one per invoice. docs/events.md.
 */
export const notificationInvoiceAcceptedPayload = z.object({
  ...notificationBaseShape,
  /** The KSeF number, e.g. `5265877635-20260101-0100001AF629-AF`. */
  ksefNumber: z.string().min(30).max(40),
  /** KSeF's acquisition date: the legal moment of issue. */
  acquisitionDate: z.string().datetime({ offset: true }),
  /** When the system learned of the acceptance. */
  acceptedAt: z.string().datetime({ offset: true }),
  /** True when KSeF reported a duplicate and `ksefNumber` is the number of the original submission. */
  duplicate: z.boolean(),
  /** KSeF's invoiceHash: Base64 SHA-256 of the invoice as sent. */
  invoiceHash: z.string().min(1),
  sessionReferenceNumber: z.string().min(1),
  invoiceReferenceNumber: z.string().min(1),
  upo: upoSchema,
});

export const notificationInvoiceAccepted = defineMessage({
  type: 'notification.invoice-accepted',
  version: 1,
  topic: TOPICS.notificationInvoiceAccepted,
  payload: notificationInvoiceAcceptedPayload,
});

export type NotificationInvoiceAccepted = z.infer<typeof notificationInvoiceAcceptedPayload>;
