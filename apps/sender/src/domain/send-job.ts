/**
 * The send job of one invoice in the sender: QUEUED (waiting for its attempt) → SENDING (claimed by a scheduler,
 * a request may be in flight) → SENT (KSeF answered 202, or reconciliation found it) | REJECTED (KSeF refused the
 * send) | ESCALATED (a person must look). SENDING goes back to QUEUED after a failure that will be retried.
 * The database enforces the same pairs (trigger on `send_jobs`).
 */
export const SEND_JOB_STATES = ['QUEUED', 'SENDING', 'SENT', 'REJECTED', 'ESCALATED'] as const;
export type SendJobState = (typeof SEND_JOB_STATES)[number];

export const SEND_JOB_TRANSITIONS: ReadonlyArray<readonly [SendJobState, SendJobState]> = [
  ['QUEUED', 'SENDING'],
  ['SENDING', 'QUEUED'],
  ['SENDING', 'SENT'],
  ['SENDING', 'REJECTED'],
  ['SENDING', 'ESCALATED'],
  // An operator re-queues an escalated invoice after fixing the cause (credentials, KSeF back).
  ['ESCALATED', 'QUEUED'],
];

export function canTransition(from: SendJobState, to: SendJobState): boolean {
  return SEND_JOB_TRANSITIONS.some(([f, t]) => f === from && t === to);
}

export function isFinal(state: SendJobState): boolean {
  return state === 'SENT' || state === 'REJECTED';
}

/** How one attempt ended, as recorded in the append-only `send_attempts`. */
export type AttemptOutcome =
  /** KSeF answered 202. */
  | 'submitted'
  /** The answer to an earlier send was lost; KSeF's session invoice list has the invoice (found by hash). */
  | 'reconciled'
  /** A reconciliation looked and KSeF does not have it: safe to send again. */
  | 'not-found'
  /** KSeF refused the send with exception codes (4xx). */
  | 'rejected'
  /** Request sent, no usable answer (timeout, reset, 5xx on a send, process stopped mid-send). */
  | 'ambiguous'
  /** Nothing reached KSeF, or a read failed (connect failed, DNS, 5xx on a read). */
  | 'transport'
  /** 429: waits for Retry-After, not counted. */
  | 'rate-limited'
  /** 401/403 or a failed authentication. */
  | 'auth'
  /** Claim check unreadable or not matching, or anything else. */
  | 'error';

/** What the scheduler does after a failed attempt. */
export type FailureDecision =
  | { action: 'retry'; counted: boolean; delayMs: number; reconcile: boolean }
  | { action: 'reject' }
  | { action: 'escalate'; code: string };

export interface FailureFacts {
  outcome: Exclude<AttemptOutcome, 'submitted' | 'reconciled' | 'not-found'>;
  retriable: boolean;
  /** For 429: how long KSeF asked us to wait. */
  retryAfterMs?: number;
  /** Stable code of the failure, carried into the escalation. */
  code: string;
}

/**
 * The retry policy of issue #5: transport failures and ambiguous sends are retried with backoff (an ambiguous one
 * is reconciled by hash first); 429 waits Retry-After without burning an attempt; a logical rejection is final; a
 * failure nobody can fix by waiting (refused credentials, a document not matching its claim check) escalates at once;
 * attempts past the maximum escalate.
 */
export function decideAfterFailure(facts: FailureFacts, countedAttemptsIncludingThis: number, delayFor: (failedAttempts: number) => number, maxAttempts: number): FailureDecision {
  if (facts.outcome === 'rate-limited') return { action: 'retry', counted: false, delayMs: facts.retryAfterMs ?? 1_000, reconcile: false };
  if (facts.outcome === 'rejected' && !facts.retriable) return { action: 'reject' };
  if (!facts.retriable) return { action: 'escalate', code: facts.code };
  if (countedAttemptsIncludingThis >= maxAttempts) return { action: 'escalate', code: facts.outcome === 'ambiguous' ? 'OUTCOME_UNKNOWN_ATTEMPTS_EXHAUSTED' : 'ATTEMPTS_EXHAUSTED' };
  return { action: 'retry', counted: true, delayMs: delayFor(countedAttemptsIncludingThis), reconcile: facts.outcome === 'ambiguous' };
}
