import { z } from 'zod';

/**
 * Invoice states as they travel in events. The state machine itself (allowed transitions, Polish labels) lives in
 * the invoice domain lib; contracts depend on nothing of ours, so intake's unit test keeps the two lists equal.
 */
export const INVOICE_STATES = [
  'RECEIVED',
  'INVALID',
  'QUEUED',
  'SENT',
  'PROCESSING',
  'ACCEPTED',
  'REJECTED',
  'TECHNICAL_ERROR',
  'ESCALATED',
  'OFFLINE',
  'CANCELLED',
] as const;

export const invoiceStateSchema = z.enum(INVOICE_STATES);

/** Our invoice id (UUID), the Kafka key of every per-invoice event. */
export const invoiceIdSchema = z.string().uuid();

/** The ERP's own document id: unique per tenant, the idempotency key of both intake doors. */
export const erpDocumentIdSchema = z.string().min(1).max(200);

/** Polish NIP: ten digits (the checksum is a business rule, checked by the validator). */
export const nipSchema = z.string().regex(/^\d{10}$/, 'NIP must be 10 digits');

/** Free-form ERP metadata carried with an invoice (never interpreted, never logged). */
export const invoiceMetadataSchema = z.record(z.string().max(100), z.string().max(1000)).refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata entries');

/**
 * Claim check: the XML is stored once by intake; messages carry this reference instead of the document.
 * Fetch it from intake (`GET /internal/v1/invoices/{invoiceId}/document`) and verify `sha256` before use.
 */
export const documentRefSchema = z.object({
  invoiceId: invoiceIdSchema,
  /** Lower-case hex SHA-256 of the exact bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().positive(),
});

export type DocumentRef = z.infer<typeof documentRefSchema>;

/** FA schema variants KSeF accepts. */
export const invoiceFormSchema = z.enum(['FA(2)', 'FA(3)']);

/** One local validation failure: a stable code, bilingual message, and where in the document it is. */
export const validationIssueSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  messagePl: z.string().min(1),
  messageEn: z.string().min(1),
  /** XPath of the offending element, e.g. `/Faktura/Fa/FaWiersz[2]/P_11`, when known. */
  xpath: z.string().optional(),
  /** 1-based line in the document, when known (XSD failures). */
  line: z.number().int().positive().optional(),
});

export type ValidationIssue = z.infer<typeof validationIssueSchema>;

/**
 * Offline issuance (API.md §11, issue #7): the ERP issued the invoice while it could not go to KSeF at once, so it is
 * sent later with `offlineMode: true` and must reach KSeF by a legal deadline (computed by the sender with
 * `@ksef-bridge/offline-mode`). Absent: an ordinary online invoice.
 * - `offline24`: the taxpayer's choice; deadline from the issue date (P_1).
 * - `unavailability` / `failure`: announced by KSeF; deadline from the end of that period. `periodEndedAt` is the end
 *   when the ERP knows it; otherwise the sender takes it from its own KSeF availability history.
 * - `total-failure`: no obligation to send (the sender still sends it once KSeF is back, without a deadline).
 */
export const OFFLINE_ISSUE_MODES = ['offline24', 'unavailability', 'failure', 'total-failure'] as const;

export const offlineIssueSchema = z
  .object({
    mode: z.enum(OFFLINE_ISSUE_MODES),
    periodEndedAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export type OfflineIssue = z.infer<typeof offlineIssueSchema>;

/**
 * Technical correction (API.md §11): the SHA-256 of the rejected offline invoice file this document corrects, as
 * KSeF wants it in `hashOfCorrectedInvoice` (Base64 of the 32 bytes, 44 characters). Sent only in an interactive
 * session, always with `offlineMode: true`.
 */
export const hashOfCorrectedInvoiceSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'Base64 of a SHA-256 digest (44 characters)');
