import type { RetryPolicy } from './ports';

export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

/**
 * "Full jitter" backoff (AWS architecture blog): a random delay in [0, min(cap, base * 2^(attempt-1))].
 * Spreads retries of many consumers hitting the same failing dependency instead of synchronising them.
 */
export function backoffDelay(attempt: number, policy: Required<RetryPolicy>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
