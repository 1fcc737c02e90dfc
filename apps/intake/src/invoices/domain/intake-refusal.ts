import { PermanentError } from '@ksef-bridge/errors';

/** Why intake refused an ERP submission. Same codes on both doors (HTTP body / intake.rejected event). */
export type IntakeRefusalCode =
  | 'REQUEST_INVALID'
  | 'DOCUMENT_EMPTY'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_ENCODING'
  | 'XML_MALFORMED'
  | 'UNKNOWN_TENANT'
  | 'IDEMPOTENCY_CONFLICT';

const HTTP_STATUS: Record<IntakeRefusalCode, number> = {
  REQUEST_INVALID: 400,
  DOCUMENT_EMPTY: 400,
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_ENCODING: 415,
  XML_MALFORMED: 400,
  UNKNOWN_TENANT: 401,
  IDEMPOTENCY_CONFLICT: 409,
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
