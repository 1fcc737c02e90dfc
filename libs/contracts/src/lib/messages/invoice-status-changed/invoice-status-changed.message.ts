import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, invoiceStateSchema } from '../shared/invoice-fields.schema';

/** intake → followers (notifier, panel): one invoice state transition, as recorded in its history. Key: invoice id. */
export const invoiceStatusChangedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  /** Absent for the first state (RECEIVED). */
  from: invoiceStateSchema.optional(),
  to: invoiceStateSchema,
  /** Who caused it, e.g. `intake:http`, `intake:kafka`, `validator`. */
  actor: z.string().min(1),
  /** Short reason (error code or summary); full details stay in the invoice history. */
  reason: z.string().optional(),
});

export const invoiceStatusChanged = defineMessage({ type: 'invoice.status-changed', version: 1, topic: TOPICS.invoiceStatusChanged, payload: invoiceStatusChangedPayload });

export type InvoiceStatusChanged = z.infer<typeof invoiceStatusChangedPayload>;
