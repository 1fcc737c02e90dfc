import { groupOf } from './rate-limit-groups';
import { SlidingWindowLimiter } from './sliding-window-limiter';

describe('SlidingWindowLimiter', () => {
  const limits = { perSecond: 2, perMinute: 3, perHour: 5 };

  it('admits up to each window, then refuses with the wait until a slot frees', () => {
    const limiter = new SlidingWindowLimiter();
    expect(limiter.check('k', limits, 0)).toEqual({ allowed: true });
    expect(limiter.check('k', limits, 100)).toEqual({ allowed: true });
    expect(limiter.check('k', limits, 200)).toEqual({ allowed: false, retryAfterSeconds: 1, window: 'second' });
  });

  it('windows slide (not aligned to clock minutes) and a block doubles while the client keeps calling', () => {
    const limiter = new SlidingWindowLimiter();
    limiter.check('k', limits, 0);
    limiter.check('k', limits, 1_500);
    limiter.check('k', limits, 3_000);
    const first = limiter.check('k', limits, 10_000);
    expect(first).toEqual({ allowed: false, retryAfterSeconds: 50, window: 'minute' });
    const second = limiter.check('k', limits, 11_000);
    expect(second.allowed).toBe(false);
    expect(!second.allowed && second.retryAfterSeconds).toBeGreaterThan(50);
    // After the block: the first hit left the 60-s window at 60 s.
    const blockedUntilMs = 11_000 + (!second.allowed ? second.retryAfterSeconds * 1000 : 0);
    expect(limiter.check('k', limits, blockedUntilMs + 1)).toEqual({ allowed: true });
  });

  it('keys are independent', () => {
    const limiter = new SlidingWindowLimiter();
    for (let i = 0; i < 2; i++) limiter.check('a', limits, i);
    expect(limiter.check('a', limits, 5).allowed).toBe(false);
    expect(limiter.check('b', limits, 5).allowed).toBe(true);
  });

  it('maps routes to the documented groups', () => {
    expect(groupOf('POST', '/v2/sessions/online/:referenceNumber/invoices')).toBe('invoiceSend');
    expect(groupOf('GET', '/v2/sessions/:referenceNumber/invoices/:invoiceReferenceNumber')).toBe('invoiceStatus');
    expect(groupOf('GET', '/v2/sessions/:referenceNumber/invoices/failed')).toBe('sessionInvoiceList');
    expect(groupOf('GET', '/v2/sessions/:referenceNumber/upo/:upoReferenceNumber')).toBe('sessionMisc');
    expect(groupOf('POST', '/v2/auth/challenge')).toBe('challenge');
    expect(groupOf('GET', '/v2/tokens')).toBe('other');
    expect(groupOf('PUT', '/storage/batch/:session/:ordinal')).toBeUndefined();
  });
});
