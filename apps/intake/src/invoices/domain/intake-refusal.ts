import { PermanentError } from '@ksef-bridge/errors';

/** Why intake refused an ERP submission. Same codes on both doors (HTTP body / intake.rejected event). */
export type IntakeRefusalCode =
  | 'REQUEST_INVALID'
  | 'TEXT_CHARACTER_NOT_ALLOWED'
  | 'DOCUMENT_EMPTY'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_ENCODING'
  | 'XML_MALFORMED'
  | 'UNKNOWN_TENANT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'OFFLINE_MARKING_INVALID'
  | 'OFFLINE_MODE_UNKNOWN'
  | 'OFFLINE_PERIOD_NOT_ALLOWED'
  | 'OFFLINE_MODE_MISMATCH'
  | 'CORRECTED_INVOICE_NOT_FOUND'
  | 'CORRECTED_INVOICE_NOT_OFFLINE'
  | 'CORRECTED_INVOICE_NOT_REJECTED';

const HTTP_STATUS: Record<IntakeRefusalCode, number> = {
  REQUEST_INVALID: 400,
  // erpDocumentId or metadata holds a character PostgreSQL or XML cannot store (U+0000, other C0 controls, ...).
  TEXT_CHARACTER_NOT_ALLOWED: 400,
  DOCUMENT_EMPTY: 400,
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_ENCODING: 415,
  XML_MALFORMED: 400,
  UNKNOWN_TENANT: 401,
  IDEMPOTENCY_CONFLICT: 409,
  OFFLINE_MARKING_INVALID: 400,
  OFFLINE_MODE_UNKNOWN: 400,
  OFFLINE_PERIOD_NOT_ALLOWED: 400,
  // The request is well-formed but contradicts what intake knows about the corrected invoice.
  OFFLINE_MODE_MISMATCH: 422,
  CORRECTED_INVOICE_NOT_FOUND: 422,
  CORRECTED_INVOICE_NOT_OFFLINE: 422,
  // Its state may still change (KSeF has not rejected it yet): a conflict with the current state, not a bad request.
  CORRECTED_INVOICE_NOT_REJECTED: 409,
};

/** A submission intake will never take as it is: the sender must change it. Never retried. */
export class IntakeRefusal extends PermanentError {
  readonly httpStatus: number;

  constructor(
    override readonly code: IntakeRefusalCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { details });
    this.httpStatus = HTTP_STATUS[code];
  }
}
