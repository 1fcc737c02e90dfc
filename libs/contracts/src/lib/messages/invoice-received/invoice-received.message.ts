import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { documentRefSchema, erpDocumentIdSchema, hashOfCorrectedInvoiceSchema, invoiceIdSchema, offlineIssueSchema } from '../shared/invoice-fields.schema';

/** intake → validator: an invoice stored (claim check) and waiting for validation. Key: invoice id. */
export const invoiceReceivedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  document: documentRefSchema,
  receivedAt: z.string().datetime({ offset: true }),
  /** Issued offline: the validator passes it on to the sender unchanged. */
  offline: offlineIssueSchema.optional(),
  /** Technical correction of a rejected offline invoice (requires `offline`). */
  hashOfCorrectedInvoice: hashOfCorrectedInvoiceSchema.optional(),
});

export const invoiceReceived = defineMessage({ type: 'invoice.received', version: 1, topic: TOPICS.invoiceReceived, payload: invoiceReceivedPayload });

export type InvoiceReceived = z.infer<typeof invoiceReceivedPayload>;
