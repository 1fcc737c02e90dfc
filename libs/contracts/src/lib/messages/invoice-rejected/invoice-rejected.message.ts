import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * KSeF refused the invoice: a business outcome, not an error (sender, when KSeF refuses the send itself;
 * status-poller, when processing ends in a rejection). Key: invoice id. Never emitted for a duplicate (440): that
 * resolves to the original KSeF number.
 */
export const invoiceRejectedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  contextNip: nipSchema,
  /** `send`: KSeF answered the send with 4xx exception codes; `processing`: the invoice status ended in a rejection. */
  stage: z.enum(['send', 'processing']),
  /** KSeF processing status code (e.g. 430, 450) for `processing`; absent for `send`. */
  processingCode: z.number().int().optional(),
  /** KSeF exception codes (e.g. 21405) for `send`. */
  exceptionCodes: z.array(z.number().int()).default([]),
  /** KSeF's description and details, as sent (Polish). */
  description: z.string(),
  details: z.array(z.string()).default([]),
  httpStatus: z.number().int().optional(),
  sessionReferenceNumber: z.string().min(1).optional(),
  invoiceReferenceNumber: z.string().min(1).optional(),
  invoiceHash: z.string().min(1).optional(),
  rejectedAt: z.string().datetime({ offset: true }),
});

export const invoiceRejected = defineMessage({ type: 'invoice.rejected', version: 1, topic: TOPICS.invoiceRejected, payload: invoiceRejectedPayload });

export type InvoiceRejected = z.infer<typeof invoiceRejectedPayload>;
