/**
 * When the next attempt of a send may start. Attempt 1 goes at once; attempt n+1 waits `delaysMs[n-1]`, and past the
 * end of that list each delay is the previous one times `multiplier`, capped at `maxDelayMs`. Jitter spreads the
 * delay over `[d·(1−jitter), d·(1+jitter)]` so a burst of failures does not come back as a burst.
 *
 * Defaults (SENDER_RETRY_* in the config): 30 s, 2 min, then ×4 (8 min, 32 min, capped at 1 h), jitter 0.2, and
 * 8 attempts before the invoice is ESCALATED.
 */
export interface RetrySchedule {
  /** Delays before attempt 2, 3, … (ms). At least one. */
  delaysMs: readonly number[];
  multiplier: number;
  maxDelayMs: number;
  /** 0..1: fraction of the delay that is randomised either way. */
  jitter: number;
  /** Counted attempts before giving up (429 answers are not counted). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { delaysMs: [30_000, 120_000], multiplier: 4, maxDelayMs: 3_600_000, jitter: 0.2, maxAttempts: 8 };

/** The delay (before jitter) after `failedAttempts` counted attempts failed (1 → before the 2nd attempt). */
export function baseDelayMs(schedule: RetrySchedule, failedAttempts: number): number {
  if (failedAttempts < 1) return 0;
  const { delaysMs } = schedule;
  if (failedAttempts <= delaysMs.length) return Math.min(delaysMs[failedAttempts - 1], schedule.maxDelayMs);
  const beyond = failedAttempts - delaysMs.length;
  return Math.min(delaysMs[delaysMs.length - 1] * Math.pow(schedule.multiplier, beyond), schedule.maxDelayMs);
}

/** The delay with jitter; `random` in [0, 1) (injectable for tests). */
export function retryDelayMs(schedule: RetrySchedule, failedAttempts: number, random: () => number = Math.random): number {
  const base = baseDelayMs(schedule, failedAttempts);
  return Math.max(0, Math.round(base * (1 - schedule.jitter + 2 * schedule.jitter * random())));
}

/** True when another counted attempt is allowed after `failedAttempts`. */
export function mayRetry(schedule: RetrySchedule, failedAttempts: number): boolean {
  return failedAttempts < schedule.maxAttempts;
}
