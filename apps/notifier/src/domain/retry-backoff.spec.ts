import { parseRetryAfter, retryDelayMs, type WebhookRetryPolicy } from './retry-backoff';

describe('webhook retry backoff', () => {
  const policy: WebhookRetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0, maxAttempts: 10 };

  it('doubles from the base per failed attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => retryDelayMs(policy, n))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
  });

  it('jitter stays within ± the fraction and never passes the cap', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(retryDelayMs(jittered, 3, undefined, () => 0)).toBe(3_200);
    expect(retryDelayMs(jittered, 3, undefined, () => 0.999999)).toBe(4_800);
    expect(retryDelayMs(jittered, 10, undefined, () => 0.999999)).toBe(60_000);
  });

  it('honours Retry-After as a lower bound, within the cap', () => {
    expect(retryDelayMs(policy, 1, 30_000)).toBe(30_000);
    expect(retryDelayMs(policy, 4, 100)).toBe(8_000);
    expect(retryDelayMs(policy, 1, 86_400_000)).toBe(60_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
