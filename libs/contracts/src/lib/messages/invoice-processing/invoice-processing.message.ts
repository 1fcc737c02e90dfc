import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * status-poller → intake (SENT → PROCESSING, "w trakcie przetwarzania"): KSeF reported the invoice as being processed
 * (status 150) and has no verdict yet. Key: invoice id. At most once per invoice; an invoice KSeF decides on at the
 * first poll skips it and goes straight to `invoice.accepted` / `invoice.rejected`.
 */
export const invoiceProcessingPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  contextNip: nipSchema,
  sessionReferenceNumber: z.string().min(1),
  invoiceReferenceNumber: z.string().min(1).optional(),
  /** KSeF's processing status code (e.g. 150) and description, as sent. */
  statusCode: z.number().int(),
  description: z.string(),
  observedAt: z.string().datetime({ offset: true }),
});

export const invoiceProcessing = defineMessage({ type: 'invoice.processing', version: 1, topic: TOPICS.invoiceProcessing, payload: invoiceProcessingPayload });

export type InvoiceProcessing = z.infer<typeof invoiceProcessingPayload>;
