import { parseKsefErrorBody } from './ksef-error-body';
import {
  KsefAmbiguousError,
  KsefAuthError,
  KsefLogicalError,
  KsefProtocolError,
  KsefRateLimitError,
  KsefTransportError,
  type KsefError,
  type KsefRequestFacts,
} from './ksef-errors';

/** Used when a 429 carries no usable `Retry-After` (KSeF always sends one; a proxy might not). */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

/** Network error codes raised before any request byte left: the call certainly did not happen. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** Parses `Retry-After` (delta-seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The network error code of an undici / Node error, looking through `cause` chains. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Classifies a failure to get any response. `idempotent` says whether repeating the call is harmless; when it is
 * not and the request may have reached KSeF, the outcome is ambiguous.
 */
export function classifyNetworkError(error: unknown, facts: KsefRequestFacts, idempotent: boolean, timedOut: boolean): KsefError {
  const code = networkErrorCode(error) ?? (timedOut ? 'REQUEST_TIMEOUT' : undefined);
  const withCode = { ...facts, networkCode: code };
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const isTimeout = timedOut || (code !== undefined && TIMEOUT_CODES.has(code));
  const what = `${facts.operation}: ${isTimeout ? 'timed out' : 'connection failed'}${code ? ` (${code})` : ''}`;
  if (!idempotent && !notSent) {
    return new KsefAmbiguousError(`${what} after the request was sent; the outcome is unknown`, { facts: withCode, cause: error });
  }
  if (code !== undefined && DNS_CODES.has(code)) return new KsefTransportError('KSEF_DNS_FAILED', what, { facts: withCode, cause: error });
  if (isTimeout) return new KsefTransportError('KSEF_TIMEOUT', what, { facts: withCode, cause: error });
  return new KsefTransportError('KSEF_CONNECTION_FAILED', what, { facts: withCode, cause: error });
}

export interface ResponseToClassify {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON when the body was JSON, else text (possibly empty). */
  body: unknown;
}

/**
 * Classifies a response whose status was not the expected one.
 * @param tokenExpired the client's own knowledge that the bearer token it sent had passed `validUntil`.
 */
export function classifyResponse(
  response: ResponseToClassify,
  facts: KsefRequestFacts,
  idempotent: boolean,
  options: { tokenExpired?: boolean; now?: number } = {},
): KsefError {
  const parsed = parseKsefErrorBody(response.body);
  const referenceNumbers = { ...facts.referenceNumbers };
  if (parsed.referenceNumber) referenceNumbers['ksefErrorReference'] = parsed.referenceNumber;
  if (parsed.traceId) referenceNumbers['traceId'] = parsed.traceId;
  const full: KsefRequestFacts = { ...facts, httpStatus: response.status, referenceNumbers, exceptionCodes: parsed.exceptionCodes };
  const summary = parsed.summary ? `: ${parsed.summary}` : '';
  const base = { facts: full, responseBody: response.body };
  const status = response.status;

  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.now) ?? DEFAULT_RETRY_AFTER_MS;
    return new KsefRateLimitError(`${facts.operation}: rate limited by KSeF, retry after ${retryAfterMs} ms`, retryAfterMs, base);
  }
  if (status === 401) {
    return options.tokenExpired
      ? new KsefAuthError('KSEF_TOKEN_EXPIRED', `${facts.operation}: access token expired${summary}`, true, base)
      : new KsefAuthError('KSEF_UNAUTHORIZED', `${facts.operation}: unauthorized${summary}`, false, base);
  }
  if (status === 403) {
    return new KsefAuthError('KSEF_FORBIDDEN', `${facts.operation}: forbidden${summary}`, false, { ...base, reasonCode: parsed.reasonCode });
  }
  if (status >= 500) {
    if (!idempotent) {
      return new KsefAmbiguousError(`${facts.operation}: KSeF answered ${status} after the request was sent; the outcome is unknown${summary}`, base);
    }
    return new KsefTransportError('KSEF_SERVER_ERROR', `${facts.operation}: KSeF answered ${status}${summary}`, base);
  }
  if (status >= 400) {
    return new KsefLogicalError(`${facts.operation}: KSeF refused the request (${status})${summary}`, { ...base, gone: status === 410 });
  }
  return new KsefProtocolError(`${facts.operation}: unexpected HTTP status ${status}`, base);
}
