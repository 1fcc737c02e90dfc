import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { documentRefSchema, erpDocumentIdSchema, hashOfCorrectedInvoiceSchema, invoiceFormSchema, invoiceIdSchema, nipSchema, offlineIssueSchema } from '../shared/invoice-fields.schema';

/**
 * validator → sender (and intake, which moves the invoice to QUEUED). Key: the KSeF context NIP (the seller,
 * `Podmiot1/NIP`), so one sender instance owns a context's session and rate limit at a time.
 */
export const invoiceValidatedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  /** The KSeF context the invoice is sent in: the seller's NIP. */
  contextNip: nipSchema,
  form: invoiceFormSchema,
  /** P_2, the seller's invoice number (part of KSeF's duplicate key with the seller NIP and RodzajFaktury). */
  invoiceNumber: z.string().min(1),
  /** RodzajFaktury: VAT, KOR, ZAL, ROZ, UPR, KOR_ZAL, KOR_ROZ. */
  invoiceType: z.string().min(1),
  /** P_1, `YYYY-MM-DD`. */
  issueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  document: documentRefSchema,
  /** Issued offline: send with `offlineMode: true`, by the deadline the sender computes; intake shows OFFLINE. */
  offline: offlineIssueSchema.optional(),
  /** Technical correction: send interactively with this `hashOfCorrectedInvoice` (requires `offline`). */
  hashOfCorrectedInvoice: hashOfCorrectedInvoiceSchema.optional(),
});

export const invoiceValidated = defineMessage({ type: 'invoice.validated', version: 1, topic: TOPICS.invoiceValidated, payload: invoiceValidatedPayload });

export type InvoiceValidated = z.infer<typeof invoiceValidatedPayload>;
