/** How a failed webhook delivery is retried. */
export interface WebhookRetryPolicy {
  /** Delay after the first failed attempt; doubled for each further one. */
  baseDelayMs: number;
  /** Cap of one delay, also of an honoured Retry-After. */
  maxDelayMs: number;
  /** ± fraction of each delay randomised, so endpoints coming back are not hit by every delivery at once. */
  jitter: number;
  /** Attempts (per redelivery round) before the delivery is DEAD. */
  maxAttempts: number;
}

/**
 * Delay before the next attempt after `failedAttempts` (≥ 1) failures: base × 2^(n-1), capped, with jitter. A
 * `retryAfterMs` from the endpoint is honoured as a lower bound (never earlier than asked), within the same cap.
 */
export function retryDelayMs(policy: WebhookRetryPolicy, failedAttempts: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.min(policy.maxDelayMs, Math.round(exponential * (1 + policy.jitter * (2 * random() - 1))));
  if (retryAfterMs === undefined) return Math.max(0, jittered);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
