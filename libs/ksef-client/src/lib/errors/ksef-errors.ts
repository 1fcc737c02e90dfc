import { AppError, PermanentError, TransientError } from '@ksef-bridge/errors';
import type { InvoiceStatusInfo } from '../model/ksef-api.types';

/**
 * The classes of failure the rest of the system branches on (issue #4):
 * - `transport`: nothing useful came back (timeout, reset, DNS, refused, 5xx on a call that is safe to repeat).
 * - `rate-limit`: 429; `retryAfterMs` says when to come back.
 * - `auth`: 401/403, expired token, failed authentication.
 * - `logical`: KSeF understood and refused (documented 4xx exception codes, an invoice rejected with its code).
 * - `ambiguous`: a call with effects was sent and no answer came; it may or may not have happened.
 */
export type KsefErrorKind = 'transport' | 'rate-limit' | 'auth' | 'logical' | 'ambiguous' | 'protocol';

/** Facts about the failed request, safe to log: no tokens, keys or invoice contents. */
export interface KsefRequestFacts {
  /** Our name of the operation, e.g. `sendInvoice`. */
  operation: string;
  method: string;
  /** Request path relative to the base URL (reference numbers only, never tokens). */
  path: string;
  httpStatus?: number;
  /** Reference numbers known for this request: session, invoice, auth, KSeF's own exception reference, trace id. */
  referenceNumbers: Record<string, string>;
  /** Documented KSeF exception codes from the body (e.g. 21405). */
  exceptionCodes?: number[];
  /** Underlying network error code (ECONNRESET, UND_ERR_HEADERS_TIMEOUT, …). */
  networkCode?: string;
}

interface KsefErrorOptions {
  facts: KsefRequestFacts;
  responseBody?: unknown;
  cause?: unknown;
  extra?: Record<string, unknown>;
}

/** Common surface of every KSeF error, whatever its base class. */
export interface KsefError extends AppError {
  readonly kind: KsefErrorKind;
  readonly facts: KsefRequestFacts;
  /**
   * The full response body KSeF sent (parsed JSON, or text), for diagnosis. Not enumerable and not in `toJSON()`,
   * so a logger that serialises the error does not copy validator messages that may quote invoice data.
   */
  readonly responseBody: unknown;
}

function detailsOf(options: KsefErrorOptions): Record<string, unknown> {
  return { ...options.facts, ...(options.extra ?? {}) };
}

function attachBody(error: object, body: unknown): void {
  Object.defineProperty(error, 'responseBody', { value: body, enumerable: false, writable: false });
}

/** Network failure, timeout or 5xx on a call that is safe to repeat. Retriable. */
export class KsefTransportError extends TransientError implements KsefError {
  readonly kind = 'transport' as const;
  readonly facts: KsefRequestFacts;
  declare readonly responseBody: unknown;
  constructor(
    code: 'KSEF_TIMEOUT' | 'KSEF_CONNECTION_FAILED' | 'KSEF_DNS_FAILED' | 'KSEF_SERVER_ERROR',
    message: string,
    options: KsefErrorOptions,
  ) {
    super(code, message, { cause: options.cause, details: detailsOf(options) });
    this.facts = options.facts;
    attachBody(this, options.responseBody);
  }
}

/** 429 Too Many Requests. Retriable after `retryAfterMs` (KSeF lengthens the block when it is ignored). */
export class KsefRateLimitError extends TransientError implements KsefError {
  readonly kind = 'rate-limit' as const;
  readonly facts: KsefRequestFacts;
  declare readonly responseBody: unknown;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options: KsefErrorOptions,
  ) {
    super('KSEF_RATE_LIMITED', message, { cause: options.cause, details: { ...detailsOf(options), retryAfterMs } });
    this.facts = options.facts;
    attachBody(this, options.responseBody);
  }
}

export type KsefAuthErrorCode = 'KSEF_UNAUTHORIZED' | 'KSEF_TOKEN_EXPIRED' | 'KSEF_FORBIDDEN' | 'KSEF_AUTH_FAILED';

/**
 * 401/403 or a failed authentication. Only `KSEF_TOKEN_EXPIRED` (and an authentication the system cancelled) is
 * retriable: authenticating again fixes it. A 403 or a refused credential needs a human.
 */
export class KsefAuthError extends AppError implements KsefError {
  readonly kind = 'auth' as const;
  readonly facts: KsefRequestFacts;
  declare readonly responseBody: unknown;
  constructor(
    readonly code: KsefAuthErrorCode,
    message: string,
    readonly retriable: boolean,
    options: KsefErrorOptions & { reasonCode?: string; authStatusCode?: number },
  ) {
    super(message, {
      cause: options.cause,
      details: { ...detailsOf(options), reasonCode: options.reasonCode, authStatusCode: options.authStatusCode },
    });
    this.facts = options.facts;
    this.reasonCode = options.reasonCode;
    this.authStatusCode = options.authStatusCode;
    attachBody(this, options.responseBody);
  }
  readonly reasonCode?: string;
  readonly authStatusCode?: number;
}

/**
 * Exception codes that describe a state which resolves by itself (retry later), not a wrong request:
 * 21165 invoice not yet available, 21178 UPO not (yet) generated, 21182 too many running exports.
 */
export const RETRIABLE_EXCEPTION_CODES: ReadonlySet<number> = new Set([21165, 21178, 21182]);

/** KSeF understood the request and refused it with documented exception codes (4xx). */
export class KsefLogicalError extends AppError implements KsefError {
  readonly kind = 'logical' as const;
  readonly code: 'KSEF_REQUEST_REJECTED' | 'KSEF_GONE';
  readonly retriable: boolean;
  readonly facts: KsefRequestFacts;
  readonly exceptionCodes: number[];
  declare readonly responseBody: unknown;
  constructor(message: string, options: KsefErrorOptions & { gone?: boolean }) {
    super(message, { cause: options.cause, details: detailsOf(options) });
    this.code = options.gone ? 'KSEF_GONE' : 'KSEF_REQUEST_REJECTED';
    this.facts = options.facts;
    this.exceptionCodes = options.facts.exceptionCodes ?? [];
    this.retriable = this.exceptionCodes.length > 0 && this.exceptionCodes.every((c) => RETRIABLE_EXCEPTION_CODES.has(c));
    attachBody(this, options.responseBody);
  }

  /** True when KSeF listed `code` among the exception codes. */
  hasExceptionCode(code: number): boolean {
    return this.exceptionCodes.includes(code);
  }
}

/**
 * A call with effects (send an invoice, close a session, open a batch, redeem) was sent and no usable answer came
 * back: timeout after sending, reset, 5xx. The operation may or may not have happened. Retriable, but before
 * re-sending an invoice reconcile by its hash (`OnlineSession.findInvoiceByHash`); a re-send of an accepted
 * invoice comes back as duplicate (status 440) with the original KSeF number.
 */
export class KsefAmbiguousError extends TransientError implements KsefError {
  readonly kind = 'ambiguous' as const;
  readonly reconcileBeforeRetry = true;
  readonly facts: KsefRequestFacts;
  declare readonly responseBody: unknown;
  constructor(message: string, options: KsefErrorOptions) {
    super('KSEF_OUTCOME_UNKNOWN', message, { cause: options.cause, details: detailsOf(options) });
    this.facts = options.facts;
    attachBody(this, options.responseBody);
  }
}

/** KSeF answered with something the spec does not allow (unexpected status or body). Not retriable: a bug. */
export class KsefProtocolError extends PermanentError implements KsefError {
  readonly kind = 'protocol' as const;
  readonly facts: KsefRequestFacts;
  declare readonly responseBody: unknown;
  constructor(message: string, options: KsefErrorOptions) {
    super('KSEF_PROTOCOL_VIOLATION', message, { cause: options.cause, details: detailsOf(options) });
    this.facts = options.facts;
    attachBody(this, options.responseBody);
  }
}

/**
 * An invoice KSeF processed and refused (invoice status 405–450, 500). Thrown only by helpers that promise
 * acceptance (`assertInvoiceAccepted`); the sender treats a rejection as a domain event, not an error.
 * Status 550 (cancelled by the system) is retriable: KSeF asks for a re-send.
 */
export class KsefInvoiceRejectedError extends AppError implements KsefError {
  readonly kind = 'logical' as const;
  readonly code = 'KSEF_INVOICE_REJECTED';
  readonly retriable: boolean;
  readonly facts: KsefRequestFacts;
  readonly processingCode: number;
  declare readonly responseBody: unknown;
  constructor(status: InvoiceStatusInfo, facts: KsefRequestFacts) {
    super(`KSeF rejected the invoice: ${status.code} ${status.description}`, {
      details: { ...facts, processingCode: status.code, processingDescription: status.description },
    });
    this.processingCode = status.code;
    this.retriable = status.code === 550;
    this.facts = facts;
    attachBody(this, status);
  }
}

/** True for any of the KSeF error classes above. */
export function isKsefError(error: unknown): error is KsefError {
  return error instanceof AppError && typeof (error as Partial<KsefError>).kind === 'string' && 'facts' in error;
}
