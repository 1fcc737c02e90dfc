import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * An invoice the system could not bring to KSeF on its own (attempts exhausted, credentials refused, a document that
 * does not match its claim check): a person must look at it. Key: invoice id. The full attempt history stays with
 * the producer (sender: `send_attempts`); this carries the last failure.
 */
export const invoiceEscalatedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  contextNip: nipSchema,
  /** Which service gave up, e.g. `sender`. */
  actor: z.string().min(1),
  /** Stable error code of the last failure (e.g. `KSEF_SERVER_ERROR`, `KSEF_FORBIDDEN`, `ATTEMPTS_EXHAUSTED`). */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  /** Safe, short description (no invoice contents, no secrets). */
  message: z.string(),
  attempts: z.number().int().nonnegative(),
  lastHttpStatus: z.number().int().optional(),
  /** KSeF reference numbers known at the time (session, invoice, KSeF's exception reference). */
  referenceNumbers: z.record(z.string(), z.string()).default({}),
  escalatedAt: z.string().datetime({ offset: true }),
});

export const invoiceEscalated = defineMessage({ type: 'invoice.escalated', version: 1, topic: TOPICS.invoiceEscalated, payload: invoiceEscalatedPayload });

export type InvoiceEscalated = z.infer<typeof invoiceEscalatedPayload>;
