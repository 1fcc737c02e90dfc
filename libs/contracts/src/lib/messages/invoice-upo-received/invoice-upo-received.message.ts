import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * status-poller → intake, notifier, downstream accounting: the UPO of an invoice that was announced earlier by
 * `invoice.accepted` with `upoPending: true` (KSeF issued it late). Key: invoice id. At most once per invoice, and only
 * after that invoice.accepted. The UPO is validated against the UPO v4-3 schema and names `ksefNumber`.
 */
export const invoiceUpoReceivedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  contextNip: nipSchema,
  ksefNumber: z.string().min(30).max(40),
  sessionReferenceNumber: z.string().min(1),
  invoiceReferenceNumber: z.string().min(1),
  upoXml: z.string().min(1),
  /** When the poller learned the verdict (as in the earlier invoice.accepted). */
  acceptedAt: z.string().datetime({ offset: true }),
  receivedAt: z.string().datetime({ offset: true }),
});

export const invoiceUpoReceived = defineMessage({ type: 'invoice.upo-received', version: 1, topic: TOPICS.invoiceUpoReceived, payload: invoiceUpoReceivedPayload });

export type InvoiceUpoReceived = z.infer<typeof invoiceUpoReceivedPayload>;
