import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KsefClient } from '../ksef-client';
import { KsefRateLimiter } from './rate-limiter';

// Calls KSeF did not answer (no response, 5xx) give their rate-limit slot back: a long outage must not spend the
// budget and then block the client after KSeF is back (docs/ksef-client.md "Rate limits"). Answers (4xx) stay charged.

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('rate-limit refunds', () => {
  it('refund() takes back exactly the recorded slot; unknown slots are ignored', async () => {
    const clock = fakeClock();
    const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 0, limits: { onlineSession: { perSecond: 10, perMinute: 30, perHour: 2 } } });
    const first = await limiter.acquire('ctx', 'onlineSession');
    await limiter.acquire('ctx', 'onlineSession');
    expect(limiter.recordedCalls('ctx', 'onlineSession')).toBe(2);
    expect(limiter.delayFor('ctx', 'onlineSession')).toBeGreaterThan(3_000_000);
    limiter.refund('ctx', 'onlineSession', first);
    limiter.refund('ctx', 'onlineSession', 42);
    limiter.refund('other-ctx', 'onlineSession', first);
    expect(limiter.recordedCalls('ctx', 'onlineSession')).toBe(1);
    expect(limiter.delayFor('ctx', 'onlineSession')).toBe(0);
  });

  describe('KsefClient', () => {
    let server: Server;
    let baseUrl: string;
    let status = 503;
    let served = 0;

    beforeAll(async () => {
      server = createServer((req, res) => {
        served += 1;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? JSON.stringify({ onlineSession: { perSecond: 10, perMinute: 30, perHour: 120 } }) : JSON.stringify({ exception: { exceptionDetailList: [] } }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    beforeEach(() => (served = 0));

    const client = (limiter: KsefRateLimiter) =>
      new KsefClient({
        baseUrl,
        context: { type: 'Nip', value: '5265877635' },
        accessTokenProvider: async () => ({ accessToken: 'token', validUntil: new Date(Date.now() + 3_600_000).toISOString() }),
        rateLimiter: limiter,
      });

    it('an outage of 5xx answers spends no budget: the first call after it goes at once', async () => {
      const clock = fakeClock();
      // 3 calls an hour: the old behaviour would wait an hour from the 4th failed call on.
      const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 0, limits: { other: { perSecond: 100, perMinute: 100, perHour: 3 } } });
      const ksef = client(limiter);
      try {
        status = 503;
        for (let i = 0; i < 10; i += 1) await expect(ksef.getRateLimits()).rejects.toMatchObject({ code: 'KSEF_SERVER_ERROR' });
        expect(served).toBe(10);
        expect(limiter.recordedCalls('Nip:5265877635', 'other')).toBe(0);
        status = 200;
        await ksef.getRateLimits();
        // No wait in the limiter (the fake clock only moves when the limiter sleeps), and that answer is charged.
        expect(clock.now()).toBe(1_000_000);
        expect(limiter.recordedCalls('Nip:5265877635', 'other')).toBe(1);
      } finally {
        await ksef.close();
      }
    });

    it('a call that reached nobody (connection refused) is refunded; a 4xx answer stays charged', async () => {
      const clock = fakeClock();
      const limiter = new KsefRateLimiter({ now: clock.now, sleep: clock.sleep, safetyMarginMs: 0 });
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const dead = new KsefClient({ baseUrl: `http://127.0.0.1:${deadPort}/v2`, context: { type: 'Nip', value: '5265877635' }, accessTokenProvider: async () => ({ accessToken: 't', validUntil: new Date(Date.now() + 3_600_000).toISOString() }), rateLimiter: limiter });
      try {
        await expect(dead.getRateLimits()).rejects.toMatchObject({ code: 'KSEF_CONNECTION_FAILED' });
        expect(limiter.recordedCalls('Nip:5265877635', 'other')).toBe(0);
      } finally {
        await dead.close();
      }
      const ksef = client(limiter);
      try {
        status = 400;
        await expect(ksef.getRateLimits()).rejects.toMatchObject({ code: 'KSEF_REQUEST_REJECTED' });
        expect(limiter.recordedCalls('Nip:5265877635', 'other')).toBe(1);
      } finally {
        await ksef.close();
      }
    });
  });
});
