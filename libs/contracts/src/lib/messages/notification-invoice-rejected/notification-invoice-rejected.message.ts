import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { notificationBaseShape, rejectionErrorSchema } from '../notification-shared/notification-fields.schema';

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: the invoice will not get a KSeF number as sent; the
 * ERP must correct it and submit a new document. Key: invoice id. Exactly one per invoice. docs/events.md.
 */
export const notificationInvoiceRejectedPayload = z.object({
  ...notificationBaseShape,
  /** `validation`: our local checks (XSD, business rules) refused it before KSeF; `ksef-send`: KSeF refused the send; `ksef-processing`: KSeF's processing ended in a rejection. */
  reason: z.enum(['validation', 'ksef-send', 'ksef-processing']),
  /** Every reason found, in one shape (at least one). */
  errors: z.array(rejectionErrorSchema).min(1),
  /** For `validation`: which stage failed (`document`, `schema`, `rules`). */
  validationStage: z.enum(['document', 'schema', 'rules']).optional(),
  /** For `ksef-*`: KSeF's answer as received. */
  ksef: z
    .object({
      processingCode: z.number().int().optional(),
      exceptionCodes: z.array(z.number().int()),
      description: z.string(),
      details: z.array(z.string()),
      httpStatus: z.number().int().optional(),
      sessionReferenceNumber: z.string().optional(),
      invoiceReferenceNumber: z.string().optional(),
      invoiceHash: z.string().optional(),
    })
    .optional(),
  rejectedAt: z.string().datetime({ offset: true }),
});

export const notificationInvoiceRejected = defineMessage({
  type: 'notification.invoice-rejected',
  version: 1,
  topic: TOPICS.notificationInvoiceRejected,
  payload: notificationInvoiceRejectedPayload,
});

export type NotificationInvoiceRejected = z.infer<typeof notificationInvoiceRejectedPayload>;
