import { backoffDelayMs, type Backoff } from './poll-plan';

/** What KSeF said about one invoice, reduced to what the decision needs. */
export type Verdict =
  | { kind: 'pending'; code: number; description: string }
  | { kind: 'accepted'; ksefNumber: string; acquisitionDate?: string; duplicate: boolean; upoSessionReferenceNumber: string }
  | { kind: 'rejected'; code: number; description: string; details: string[] }
  /** 550: KSeF cancelled processing; only a new send helps, which is not the poller's to make. */
  | { kind: 'cancelled'; code: number; description: string }
  /** 440 without the original KSeF number: KSeF broke its own contract; a person must look. */
  | { kind: 'duplicate-unresolved'; description: string };

/** One poll for a verdict. */
export type VerdictObservation =
  | { kind: 'verdict'; verdict: Verdict }
  /** KSeF does not list the invoice (yet): a batch package still being unpacked, or 21165 "not yet available". */
  | { kind: 'not-found' }
  /** Not listed, and the session is past processing (200 processed, or a failed session: 405, 415, 440, …): it never will be. */
  | { kind: 'session-final'; code: number; description: string }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'failed'; code: string; message: string };

/** One fetch of the UPO of an accepted invoice. */
export type UpoObservation =
  | { kind: 'upo'; xml: string }
  /** KSeF sent something that is not a valid UPO v4-3: kept out of the store, fetched again. */
  | { kind: 'invalid'; problem: string }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'failed'; code: string; message: string };

export interface PollPolicy {
  backoff: Backoff;
  /** No verdict this long after invoice.submitted → ESCALATED (KSEF_NO_VERDICT). */
  verdictDeadlineMs: number;
  /** An accepted invoice's UPO is awaited this long before invoice.accepted goes out with `upoPending`. */
  upoWaitMs: number;
  /** After that, the UPO is still fetched, this often. */
  upoLateIntervalMs: number;
  /** A KSEF_NO_VERDICT escalation is polled this often for a late verdict (default 15 min). */
  escalatedIntervalMs: number;
  /** … for this long after the escalation (default 7 days); 0 = not watched. */
  escalatedWatchMs: number;
}

export type Decision =
  /** Poll again after `delayMs`; `countPoll` false for 429s (no step of the backoff is burned). */
  | { action: 'reschedule'; delayMs: number; countPoll: boolean; errorCode?: string; statusCode?: number; emitProcessing?: { statusCode: number; description: string } }
  | { action: 'accept'; verdict: Extract<Verdict, { kind: 'accepted' }> }
  | { action: 'reject'; verdict: Extract<Verdict, { kind: 'rejected' }> }
  | { action: 'escalate'; code: string; message: string }
  /** UPO fetched and valid: store it, DONE. */
  | { action: 'store-upo'; xml: string }
  /** UPO overdue: emit invoice.accepted with `upoPending`, keep fetching at the late interval. */
  | { action: 'upo-late'; delayMs: number; errorCode?: string };

export interface VerdictPlan {
  /** Polls made so far in this phase. */
  polls: number;
  submittedAt: Date;
  processingEmitted: boolean;
}

/** The next step after a poll for a verdict. Deadline first: nothing waits past it unnoticed. */
export function decideAfterVerdictPoll(plan: VerdictPlan, observation: VerdictObservation, now: Date, policy: PollPolicy, random?: () => number): Decision {
  if (observation.kind === 'verdict') {
    const v = observation.verdict;
    if (v.kind === 'accepted') return { action: 'accept', verdict: v };
    if (v.kind === 'rejected') return { action: 'reject', verdict: v };
    if (v.kind === 'cancelled') return { action: 'escalate', code: 'KSEF_PROCESSING_CANCELLED', message: `KSeF cancelled processing (${v.code} ${v.description}); the invoice must be sent again` };
    if (v.kind === 'duplicate-unresolved') return { action: 'escalate', code: 'KSEF_DUPLICATE_UNRESOLVED', message: `KSeF reported a duplicate without the original KSeF number (${v.description})` };
  }
  if (observation.kind === 'session-final') {
    // Waiting cannot help: a processed session lists all its invoices; a failed one processed none (a re-send might).
    if (observation.code === 200) return { action: 'escalate', code: 'KSEF_INVOICE_NOT_IN_SESSION', message: `the session is processed and does not list this invoice (by reference number or hash)` };
    return { action: 'escalate', code: 'KSEF_SESSION_FAILED', message: `the session ended with ${observation.code} ${observation.description}; the invoice was not processed` };
  }
  const waited = now.getTime() - plan.submittedAt.getTime();
  if (waited >= policy.verdictDeadlineMs) {
    const last = observation.kind === 'verdict' ? `last status ${(observation.verdict as { code: number }).code}` : observation.kind === 'failed' ? `last error ${observation.code}` : observation.kind;
    return { action: 'escalate', code: 'KSEF_NO_VERDICT', message: `no final KSeF status ${Math.round(waited / 1000)} s after submission (${last})` };
  }
  if (observation.kind === 'rate-limited') return { action: 'reschedule', delayMs: observation.retryAfterMs, countPoll: false, errorCode: 'KSEF_RATE_LIMITED' };
  const delayMs = backoffDelayMs(policy.backoff, plan.polls + 1, random);
  if (observation.kind === 'failed') return { action: 'reschedule', delayMs, countPoll: true, errorCode: observation.code };
  if (observation.kind === 'not-found') return { action: 'reschedule', delayMs, countPoll: true, errorCode: 'KSEF_INVOICE_NOT_LISTED' };
  const pending = observation.verdict as Extract<Verdict, { kind: 'pending' }>;
  return {
    action: 'reschedule',
    delayMs,
    countPoll: true,
    statusCode: pending.code,
    emitProcessing: plan.processingEmitted ? undefined : { statusCode: pending.code, description: pending.description },
  };
}

/**
 * The next step after polling a WATCHED escalation (KSEF_NO_VERDICT): a final verdict is recorded and announced (the
 * invoice must not stay ESCALATED once KSeF decided); anything else (still pending, not listed, errors, 429) waits
 * `escalatedIntervalMs` (at least the 429's Retry-After) without a new escalation or an `invoice.processing`.
 */
export function decideAfterWatchPoll(observation: VerdictObservation, policy: PollPolicy): Decision {
  if (observation.kind === 'verdict' && observation.verdict.kind === 'accepted') return { action: 'accept', verdict: observation.verdict };
  if (observation.kind === 'verdict' && observation.verdict.kind === 'rejected') return { action: 'reject', verdict: observation.verdict };
  if (observation.kind === 'rate-limited') return { action: 'reschedule', delayMs: Math.max(observation.retryAfterMs, policy.escalatedIntervalMs), countPoll: false, errorCode: 'KSEF_RATE_LIMITED' };
  const errorCode =
    observation.kind === 'failed' ? observation.code : observation.kind === 'not-found' ? 'KSEF_INVOICE_NOT_LISTED' : observation.kind === 'session-final' ? 'KSEF_SESSION_FINAL' : 'KSEF_NO_VERDICT';
  const statusCode = observation.kind === 'verdict' && 'code' in observation.verdict ? observation.verdict.code : undefined;
  return { action: 'reschedule', delayMs: policy.escalatedIntervalMs, countPoll: true, errorCode, statusCode };
}

/**
 * The next step after fetching the UPO of a WATCHED escalation that already has its KSeF number (a duplicate escalated
 * KSEF_DUPLICATE_DATE_UNKNOWN): the UPO (and with it the acquisition date) → store it and announce the acceptance;
 * anything else waits `escalatedIntervalMs` (at least a 429's Retry-After), without a new escalation.
 */
export function decideAfterWatchedUpoFetch(observation: UpoObservation, policy: PollPolicy): Decision {
  if (observation.kind === 'upo') return { action: 'store-upo', xml: observation.xml };
  if (observation.kind === 'rate-limited') return { action: 'reschedule', delayMs: Math.max(observation.retryAfterMs, policy.escalatedIntervalMs), countPoll: false, errorCode: 'KSEF_RATE_LIMITED' };
  return { action: 'reschedule', delayMs: policy.escalatedIntervalMs, countPoll: true, errorCode: observation.kind === 'invalid' ? 'UPO_INVALID' : observation.code };
}

export interface UpoPlan {
  /** UPO fetches made before this one. */
  polls: number;
  /** When the verdict (KSeF number) was learned. */
  acceptedAt: Date;
  /** True once invoice.accepted went out without the UPO (state UPO_LATE). */
  late: boolean;
}

/** The next step after fetching an accepted invoice's UPO. */
export function decideAfterUpoFetch(plan: UpoPlan, observation: UpoObservation, now: Date, policy: PollPolicy, random?: () => number): Decision {
  if (observation.kind === 'upo') return { action: 'store-upo', xml: observation.xml };
  const errorCode = observation.kind === 'rate-limited' ? 'KSEF_RATE_LIMITED' : observation.kind === 'invalid' ? 'UPO_INVALID' : observation.code;
  if (plan.late) {
    const delayMs = observation.kind === 'rate-limited' ? Math.max(observation.retryAfterMs, policy.upoLateIntervalMs) : policy.upoLateIntervalMs;
    return { action: 'reschedule', delayMs, countPoll: observation.kind !== 'rate-limited', errorCode };
  }
  if (now.getTime() - plan.acceptedAt.getTime() >= policy.upoWaitMs) return { action: 'upo-late', delayMs: policy.upoLateIntervalMs, errorCode };
  if (observation.kind === 'rate-limited') return { action: 'reschedule', delayMs: observation.retryAfterMs, countPoll: false, errorCode };
  return { action: 'reschedule', delayMs: backoffDelayMs(policy.backoff, plan.polls, random), countPoll: true, errorCode };
}
