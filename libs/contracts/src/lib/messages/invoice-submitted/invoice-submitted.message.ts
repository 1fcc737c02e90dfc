import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/** A KSeF reference number (session `SO`/`SB`, invoice `EE`): opaque, as KSeF issued it. */
const ksefReferenceSchema = z.string().min(1).max(100);

/**
 * sender → status-poller (and intake, which moves the invoice to SENT): KSeF received the invoice (202) and is
 * processing it; follow it with the session and invoice reference numbers to a KSeF number or a rejection.
 * Key: invoice id. Emitted once per invoice: also when the sender learned of the receipt by reconciling an
 * ambiguous send (`reconciled: true`), never for a second copy.
 */
export const invoiceSubmittedPayload = z
  .object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  /** The KSeF context (seller NIP) the invoice was sent in. */
  contextNip: nipSchema,
  sessionReferenceNumber: ksefReferenceSchema,
  /** `online`: sent in an interactive session (KSeF answered with the invoice reference number); `batch`: part of a batch session's package. */
  mode: z.enum(['online', 'batch']).default('online'),
  /** KSeF's invoice reference number: always present for `online`; for `batch` KSeF assigns it while processing the package, so the status-poller finds it in the session's invoice list by `invoiceHash`. */
  invoiceReferenceNumber: ksefReferenceSchema.optional(),
  /** SHA-256 of the plain invoice, Base64, as KSeF knows it (`invoiceHash`): the key to find it again in KSeF. */
  invoiceHash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'invoiceHash must be Base64 SHA-256'),
  /** When KSeF answered 202 (or when the sender found the invoice in KSeF after an ambiguous send). */
  submittedAt: z.string().datetime({ offset: true }),
  /** The sender's attempt (1-based) that reached KSeF. */
  attempt: z.number().int().positive(),
  /** True when the 202 was lost and the sender found the invoice in the session's invoice list by its hash. */
  reconciled: z.boolean(),
  })
  .refine((p) => p.mode === 'batch' || p.invoiceReferenceNumber !== undefined, { message: 'invoiceReferenceNumber is required for an online send', path: ['invoiceReferenceNumber'] });

export const invoiceSubmitted = defineMessage({ type: 'invoice.submitted', version: 1, topic: TOPICS.invoiceSubmitted, payload: invoiceSubmittedPayload });

export type InvoiceSubmitted = z.infer<typeof invoiceSubmittedPayload>;
