import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { KsefRateLimitError, TEST_ENVIRONMENT_RATE_LIMITS, isKsefError, type RateLimitTable } from '../index';
import { startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// Planning sends with the client-side limiter keeps a burst under the simulator's real sliding windows: zero 429s.
// The burst is 8 concurrent sends into one session: the limiter must serialise concurrent callers itself.
let fx: SimFixture;
const invoiceNo = (): string => `FV/${Date.now()}/${Math.random().toString(36).slice(2, 8)}`;
// Tight invoiceSend limits for one context (TE lets a context set its own): the minute window binds after 6 sends.
const tight: RateLimitTable = { ...TEST_ENVIRONMENT_RATE_LIMITS, invoiceSend: { perSecond: 4, perMinute: 6, perHour: 100 } };

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_PROCESSING_DELAY_MS: '50', SIM_AUTH_DELAY_MS: '20' } });
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

describe('ksef-client rate-limit planning (simulator)', () => {
  it('without the limiter the same burst runs into 429 (the limits are real)', async () => {
    const { client, nip } = await fx.newClient({ rateLimiter: false });
    await client.setTestRateLimits(tight);
    const session = await client.openOnlineSession();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }))));
    const limited = results.filter((r) => r.status === 'rejected' && r.reason instanceof KsefRateLimitError);
    expect(limited.length).toBeGreaterThan(0);
    expect((limited[0] as PromiseRejectedResult).reason.retryAfterMs).toBeGreaterThan(0);
  });

  it('with limits synced from GET /rate-limits a burst of sends gets zero 429s and follows the plan', async () => {
    const { client, nip } = await fx.newClient();
    await client.setTestRateLimits(tight);
    const effective = await client.syncRateLimits();
    expect(effective.invoiceSend).toEqual(tight.invoiceSend);
    const session = await client.openOnlineSession();

    const context = `Nip:${nip}`;
    const plan = client.limiter!.plan(context, 'invoiceSend', 8);
    const offsets = plan.map((t) => t - plan[0]!);
    // 4 at once, 2 more after the 1 s window, the last 2 only when the first calls leave the 60 s window.
    expect(offsets.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(offsets[4]).toBeGreaterThanOrEqual(1_000);
    expect(offsets[6]).toBeGreaterThanOrEqual(60_000);

    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: invoiceNo() }))));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(errors.filter((e) => isKsefError(e) && e.kind === 'rate-limit')).toEqual([]);
    expect(errors).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
    for (const r of results) {
      if (r.status !== 'fulfilled') continue;
      expect((await session.waitForInvoice(r.value.referenceNumber, { intervalMs: 200, timeoutMs: 30_000 })).kind).toBe('accepted');
    }
    await session.close();
  }, 180_000);
});
