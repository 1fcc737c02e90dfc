import { KsefRateLimiter } from './rate-limiter';
import { PRODUCTION_RATE_LIMITS, TEST_ENVIRONMENT_RATE_LIMITS, rateLimitGroupOf } from './rate-limit-groups';

/** A fake clock whose sleep advances time, so hour-long windows test instantly. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Max calls inside any window of `length` ms among sorted `times`. */
function maxInWindow(times: number[], length: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while (times[end]! - times[start]! >= length) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('rateLimitGroupOf', () => {
  it.each([
    ['POST', '/sessions/online', 'onlineSession'],
    ['POST', '/sessions/online/REF/close', 'onlineSession'],
    ['POST', '/sessions/online/REF/invoices', 'invoiceSend'],
    ['POST', '/sessions/batch', 'batchSession'],
    ['POST', '/sessions/batch/REF/close', 'batchSession'],
    ['GET', '/sessions', 'sessionList'],
    ['GET', '/sessions/REF/invoices', 'sessionInvoiceList'],
    ['GET', '/sessions/REF/invoices/failed', 'sessionInvoiceList'],
    ['GET', '/sessions/REF/invoices/INV', 'invoiceStatus'],
    ['GET', '/sessions/REF', 'sessionMisc'],
    ['GET', '/sessions/REF/invoices/INV/upo', 'sessionMisc'],
    ['GET', '/sessions/REF/invoices/ksef/KSEF/upo', 'sessionMisc'],
    ['GET', '/sessions/REF/upo/UPO', 'sessionMisc'],
    ['POST', '/invoices/query/metadata', 'invoiceMetadata'],
    ['POST', '/invoices/exports', 'invoiceExport'],
    ['GET', '/invoices/exports/REF', 'invoiceExportStatus'],
    ['GET', '/invoices/ksef/KSEF', 'invoiceDownload'],
    ['GET', '/limits/context', 'other'],
    ['POST', '/auth/ksef-token', 'other'],
  ])('%s %s → %s', (method, path, group) => {
    expect(rateLimitGroupOf(method, path)).toBe(group);
  });

  it('does not count part uploads, absolute URLs or the challenge against the context', () => {
    expect(rateLimitGroupOf('PUT', 'https://blob.example/part1?sig=x')).toBeUndefined();
    expect(rateLimitGroupOf('POST', '/auth/challenge')).toBeUndefined();
  });

  it('TE limits are 10× production', () => {
    expect(TEST_ENVIRONMENT_RATE_LIMITS.invoiceSend).toEqual({ perSecond: 100, perMinute: 300, perHour: 1800 });
  });
});

describe('KsefRateLimiter', () => {
  it('spreads a burst so that no sliding window is exceeded', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 0 });
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      await limiter.acquire('Nip:5265877635', 'invoiceSend');
      times.push(clock.now());
    }
    const { perSecond, perMinute, perHour } = PRODUCTION_RATE_LIMITS.invoiceSend;
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(perSecond);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(perMinute);
    expect(maxInWindow(times, 3_600_000)).toBeLessThanOrEqual(perHour);
    // The first 10 go at once, then the minute window binds: call 31 waits for the first to leave it.
    expect(times[9]).toBe(times[0]);
    expect(times[30]! - times[0]!).toBe(60_000);
    // Call 181 waits for the hour window.
    expect(times[180]! - times[0]!).toBe(3_600_000);
  });

  it('plans without recording, matching what acquire would do', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, limits: { invoiceSend: { perSecond: 2, perMinute: 5, perHour: 100 } }, safetyMarginMs: 0 });
    const plan = limiter.plan('ctx', 'invoiceSend', 6);
    expect(plan.map((t) => t - clock.now())).toEqual([0, 0, 1_000, 1_000, 2_000, 60_000]);
    expect(limiter.delayFor('ctx', 'invoiceSend')).toBe(0);
    const actual: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      await limiter.acquire('ctx', 'invoiceSend');
      actual.push(clock.now());
    }
    expect(actual).toEqual(plan);
  });

  it('keeps contexts and groups apart', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, limits: { invoiceSend: { perSecond: 1, perMinute: 1, perHour: 1 } } });
    await limiter.acquire('a', 'invoiceSend');
    await limiter.acquire('b', 'invoiceSend');
    await limiter.acquire('a', 'invoiceStatus');
    expect(clock.now()).toBe(1_000_000);
    expect(limiter.delayFor('a', 'invoiceSend')).toBeGreaterThan(3_600_000);
  });

  it('adds the safety margin to every window and honours utilisation', () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 200, utilisation: 0.5, limits: { other: { perSecond: 4, perMinute: 100, perHour: 1000 } } });
    const plan = limiter.plan('ctx', 'other', 3).map((t) => t - clock.now());
    expect(plan).toEqual([0, 0, 1_200]);
  });

  it('waits out a 429 Retry-After before the next call of that group', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep });
    limiter.penalise('ctx', 'invoiceSend', 30_000);
    expect(limiter.delayFor('ctx', 'invoiceSend')).toBe(30_000);
    await limiter.acquire('ctx', 'invoiceSend');
    expect(clock.now()).toBe(1_030_000);
  });

  it('grants concurrent acquirers distinct slots in arrival order', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 0, limits: { invoiceSend: { perSecond: 1, perMinute: 60, perHour: 3600 } } });
    const order: number[] = [];
    await Promise.all([0, 1, 2].map(async (i) => {
      await limiter.acquire('ctx', 'invoiceSend');
      order.push(i);
    }));
    expect(order).toEqual([0, 1, 2]);
    expect(clock.now()).toBe(1_002_000);
  });

  it('lets a caller abort a wait', async () => {
    const limiter = new KsefRateLimiter({ limits: { other: { perSecond: 1, perMinute: 1, perHour: 1 } } });
    await limiter.acquire('ctx', 'other');
    const controller = new AbortController();
    const waiting = limiter.acquire('ctx', 'other', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
