import { KsefRateLimiter } from '@ksef-bridge/ksef-client';
import { rateHeadroom } from './rate-headroom';

describe('rate-limit headroom', () => {
  const NIP = '5265877635';

  it('is the limit minus the recent sends, per window', () => {
    const limiter = new KsefRateLimiter({ safetyMarginMs: 0 });
    expect(rateHeadroom(limiter, NIP, { sendsLastMinute: 0, sendsLastHour: 0 })).toEqual({ limits: { perSecond: 10, perMinute: 30, perHour: 180 }, nextSendInMs: 0, leftThisMinute: 30, leftThisHour: 180 });
    expect(rateHeadroom(limiter, NIP, { sendsLastMinute: 12, sendsLastHour: 40 })).toMatchObject({ leftThisMinute: 18, leftThisHour: 140 });
    expect(rateHeadroom(limiter, NIP, { sendsLastMinute: 31, sendsLastHour: 200 })).toMatchObject({ leftThisMinute: 0, leftThisHour: 0 });
  });

  it('says when the limiter holds the context back: a full second, or KSeF’s Retry-After', async () => {
    let now = 1_000_000;
    const limiter = new KsefRateLimiter({ now: () => now, safetyMarginMs: 0, sleep: async (ms) => void (now += ms) });
    for (let i = 0; i < 10; i++) await limiter.acquire(`Nip:${NIP}`, 'invoiceSend');
    expect(rateHeadroom(limiter, NIP, { sendsLastMinute: 10, sendsLastHour: 10 })!.nextSendInMs).toBeGreaterThan(0);
    limiter.penalise(`Nip:${NIP}`, 'invoiceSend', 30_000);
    expect(rateHeadroom(limiter, NIP, { sendsLastMinute: 10, sendsLastHour: 10 })!.nextSendInMs).toBeGreaterThanOrEqual(29_000);
    // Another context is not held back.
    expect(rateHeadroom(limiter, '7740001454', { sendsLastMinute: 0, sendsLastHour: 0 })!.nextSendInMs).toBe(0);
  });

  it('says nothing when rate limiting is off', () => {
    expect(rateHeadroom(undefined, NIP, { sendsLastMinute: 0, sendsLastHour: 0 })).toBeUndefined();
  });
});
