import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { documentRefSchema, erpDocumentIdSchema, invoiceIdSchema } from '../shared/invoice-fields.schema';

/** intake → validator: an invoice stored (claim check) and waiting for validation. Key: invoice id. */
export const invoiceReceivedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  document: documentRefSchema,
  receivedAt: z.string().datetime({ offset: true }),
});

export const invoiceReceived = defineMessage({ type: 'invoice.received', version: 1, topic: TOPICS.invoiceReceived, payload: invoiceReceivedPayload });

export type InvoiceReceived = z.infer<typeof invoiceReceivedPayload>;
