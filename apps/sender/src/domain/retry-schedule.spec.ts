import { baseDelayMs, DEFAULT_RETRY_SCHEDULE, mayRetry, retryDelayMs } from './retry-schedule';

describe('retry schedule', () => {
  const s = DEFAULT_RETRY_SCHEDULE;

  it('1st attempt at once, 2nd after 30 s, 3rd after 2 min, then growing ×4 up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => baseDelayMs(s, n))).toEqual([0, 30_000, 120_000, 480_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('jitter stays within ±20% and reaches both ends', () => {
    expect(retryDelayMs(s, 1, () => 0)).toBe(24_000);
    expect(retryDelayMs(s, 1, () => 0.999999)).toBe(36_000);
    expect(retryDelayMs(s, 1, () => 0.5)).toBe(30_000);
    for (let i = 0; i < 200; i += 1) {
      const d = retryDelayMs(s, 2);
      expect(d).toBeGreaterThanOrEqual(96_000);
      expect(d).toBeLessThanOrEqual(144_000);
    }
  });

  it('follows a configured list and multiplier, and no jitter means exact delays', () => {
    const custom = { delaysMs: [100], multiplier: 2, maxDelayMs: 500, jitter: 0, maxAttempts: 3 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(custom, n))).toEqual([100, 200, 400, 500, 500]);
  });

  it('allows attempts up to the maximum', () => {
    expect(mayRetry(s, 7)).toBe(true);
    expect(mayRetry(s, 8)).toBe(false);
  });
});
