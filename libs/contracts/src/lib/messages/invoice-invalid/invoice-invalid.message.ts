import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, validationIssueSchema } from '../shared/invoice-fields.schema';

/**
 * validator → intake: the invoice failed local validation (XSD or business rules). A business outcome, not an error.
 * Key: invoice id. Carries every failure found, not only the first.
 */
export const invoiceInvalidPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  /** The stage that failed: `document` (encoding, well-formedness), `schema` (XSD) or `rules` (business rules). */
  stage: z.enum(['document', 'schema', 'rules']),
  issues: z.array(validationIssueSchema).min(1),
});

export const invoiceInvalid = defineMessage({ type: 'invoice.invalid', version: 1, topic: TOPICS.invoiceInvalid, payload: invoiceInvalidPayload });

export type InvoiceInvalid = z.infer<typeof invoiceInvalidPayload>;
