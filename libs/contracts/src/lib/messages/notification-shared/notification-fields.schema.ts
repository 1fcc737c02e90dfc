import { z } from 'zod';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * Fields every public (tenant-facing) notification carries. Public contracts are a promise to downstream accounting
 * systems: within a major version fields are only ADDED (optional or defaulted), never renamed, retyped or removed
 * (docs/events.md "Versioning").
 */
export const notificationBaseShape = {
  invoiceId: invoiceIdSchema,
  /** The ERP's own document id, as the ERP sent it to intake. */
  erpDocumentId: erpDocumentIdSchema,
  /** Seller NIP (the KSeF context); absent when the invoice never got that far (a local validation failure). */
  sellerNip: nipSchema.optional(),
} as const;

/**
 * The invoice's UPO (KSeF's official receipt). On Kafka `xml` is always present when `status` is `available`;
 * in a webhook it is present only up to the notifier's inline limit (NOTIFIER_WEBHOOK_UPO_INLINE_MAX_BYTES), while
 * `sha256` and `sizeBytes` are always there to check a copy fetched elsewhere.
 */
export const upoSchema = z.object({
  status: z.enum(['available', 'pending']),
  /** Lower-case hex SHA-256 of the UTF-8 bytes of `xml`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  sizeBytes: z.number().int().positive().optional(),
  xml: z.string().min(1).optional(),
  /** Webhooks only, when the deployment configures it: intake's `GET /v1/invoices/{id}/upo` (tenant API key; its `X-Content-SHA256` equals `sha256`). */
  href: z.string().url().optional(),
});

export type Upo = z.infer<typeof upoSchema>;

/** One reason of a rejection, in one shape whatever refused the invoice. */
export const rejectionErrorSchema = z.object({
  /** A validation code (e.g. `NIP_CHECKSUM`) or a KSeF code as text (e.g. `21405`, `430`). */
  code: z.string().min(1),
  /** Polish message (KSeF's own text for KSeF rejections). */
  message: z.string().min(1),
  /** English message, when the source has one (local validation does). */
  messageEn: z.string().optional(),
  /** XPath of the offending element, when known. */
  xpath: z.string().optional(),
  /** 1-based line in the document, when known. */
  line: z.number().int().positive().optional(),
});

export type RejectionError = z.infer<typeof rejectionErrorSchema>;
