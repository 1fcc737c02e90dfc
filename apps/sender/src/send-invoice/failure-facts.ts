import { AppError } from '@ksef-bridge/errors';
import { KsefAmbiguousError, KsefAuthError, KsefLogicalError, KsefProtocolError, KsefRateLimitError, KsefTransportError, isKsefError } from '@ksef-bridge/ksef-client';
import type { FailureFacts } from '../domain/send-job';
import type { AttemptRecord } from './send-job.repository';

/** KSeF exception code for a send into a session that is closed (or was closed by the system). */
export const SESSION_CLOSED = 21180;

/**
 * KSeF's refusals of a technical correction (API.md §11): 21166 a valid technical correction of that invoice exists
 * already, 21167 the original was accepted (nothing to correct). Final answers about this invoice: REJECTED with
 * KSeF's body, never retried (sending it again changes nothing).
 */
export const TECHNICAL_CORRECTION_REFUSED: readonly number[] = [21166, 21167];

export interface ClassifiedFailure extends FailureFacts {
  /** Facts for the attempt row. */
  record: Pick<AttemptRecord, 'httpStatus' | 'errorCode' | 'errorMessage' | 'exceptionCodes' | 'referenceNumbers' | 'errorBody'>;
  /** Says something about KSeF's availability (for the circuit breaker): true = KSeF did not answer. */
  ksefUnavailable: boolean;
  /** KSeF answered (any status): the circuit can close. */
  ksefAnswered: boolean;
  /** The session can no longer take invoices. */
  sessionGone: boolean;
}

/**
 * Maps a failure of one step into the retry policy's terms. `sending` is true for the send call itself, where a
 * protocol violation (an answer the spec does not allow) leaves the outcome unknown just like a lost answer.
 */
export function classifyFailure(error: unknown, sending: boolean): ClassifiedFailure {
  const record: ClassifiedFailure['record'] = {};
  if (isKsefError(error)) {
    record.httpStatus = error.facts.httpStatus;
    record.referenceNumbers = error.facts.referenceNumbers;
    record.exceptionCodes = error.facts.exceptionCodes;
    record.errorBody = error.responseBody;
    record.errorMessage = error.message;
    record.errorCode = error.code;
  } else if (error instanceof AppError) {
    record.errorCode = error.code;
    record.errorMessage = error.message;
  } else {
    record.errorCode = 'UNEXPECTED';
    record.errorMessage = error instanceof Error ? error.message : String(error);
  }
  const base = { record, code: record.errorCode ?? 'UNEXPECTED', ksefUnavailable: false, ksefAnswered: false, sessionGone: false };
  if (sending && (error instanceof KsefAmbiguousError || error instanceof KsefProtocolError)) {
    return { ...base, outcome: 'ambiguous', retriable: true, ksefUnavailable: true };
  }
  // An unanswered session open (or any other call with effects but no invoice in it) leaves nothing to reconcile.
  if (error instanceof KsefAmbiguousError) return { ...base, outcome: 'transport', retriable: true, ksefUnavailable: true };
  if (error instanceof KsefRateLimitError) return { ...base, outcome: 'rate-limited', retriable: true, retryAfterMs: error.retryAfterMs, ksefAnswered: true };
  if (error instanceof KsefTransportError) return { ...base, outcome: 'transport', retriable: true, ksefUnavailable: true };
  if (error instanceof KsefAuthError) return { ...base, outcome: 'auth', retriable: error.retriable, ksefAnswered: true };
  if (error instanceof KsefLogicalError) {
    if (error.hasExceptionCode(SESSION_CLOSED)) return { ...base, outcome: 'error', code: 'KSEF_SESSION_CLOSED', retriable: true, ksefAnswered: true, sessionGone: true };
    if (TECHNICAL_CORRECTION_REFUSED.some((code) => error.hasExceptionCode(code))) return { ...base, outcome: 'rejected', code: 'KSEF_TECHNICAL_CORRECTION_REFUSED', retriable: false, ksefAnswered: true };
    return { ...base, outcome: 'rejected', retriable: error.retriable, ksefAnswered: true };
  }
  if (error instanceof KsefProtocolError) return { ...base, outcome: 'error', retriable: false, ksefAnswered: true };
  if (error instanceof AppError) return { ...base, outcome: 'error', retriable: error.retriable };
  // Anything else (a database hiccup, a bug) is retried with backoff and ends in an escalation if it persists.
  return { ...base, outcome: 'error', retriable: true };
}
