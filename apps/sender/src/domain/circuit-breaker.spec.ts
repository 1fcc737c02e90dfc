import { KsefRateLimiter, PRODUCTION_RATE_LIMITS } from '@ksef-bridge/ksef-client';
import { CircuitBreaker } from './circuit-breaker';

describe('circuit breaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker(3, 1000, () => now);
  beforeEach(() => (now = 0));

  it('opens after consecutive failures and lets nothing through while open', () => {
    const b = breaker();
    b.recordFailure();
    b.recordFailure();
    expect(b.state).toBe('closed');
    b.recordFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.remainingOpenMs()).toBe(1000);
  });

  it('an answer in between resets the count', () => {
    const b = breaker();
    b.recordFailure();
    b.recordFailure();
    b.recordSuccess();
    b.recordFailure();
    expect(b.state).toBe('closed');
  });

  it('half-open lets one probe through: success closes, failure opens again', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.recordFailure();
    now = 1000;
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.recordFailure();
    expect(b.state).toBe('open');
    now = 2000;
    expect(b.tryAcquire()).toBe(true);
    b.recordSuccess();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('a probe released without reaching KSeF lets the next one go', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.recordFailure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });

  describe('gated on the health probe', () => {
    const gated = () => {
      const b = breaker();
      b.gateOnHealthProbe(10_000);
      return b;
    };

    it('stays open past openMs until a health probe that started after the opening got an answer', () => {
      const b = gated();
      b.healthProbe(true, 0);
      for (let i = 0; i < 3; i += 1) b.recordFailure();
      now = 5_000;
      b.healthProbe(false, 4_000);
      expect(b.state).toBe('open');
      expect(b.tryAcquire()).toBe(false);
      expect(b.remainingOpenMs()).toBe(0);
      // An answer to a probe that left before the circuit opened says nothing about after.
      b.healthProbe(true, -1);
      expect(b.state).toBe('open');
      b.healthProbe(true, 5_000);
      expect(b.state).toBe('half-open');
      expect(b.tryAcquire()).toBe(true);
      expect(b.tryAcquire()).toBe(false);
    });

    it('keeps the minimum open time, and a failed half-open probe needs a new health answer', () => {
      const b = gated();
      for (let i = 0; i < 3; i += 1) b.recordFailure();
      now = 500;
      b.healthProbe(true, 500);
      expect(b.state).toBe('open');
      now = 1_000;
      expect(b.tryAcquire()).toBe(true);
      b.recordFailure();
      now = 2_500;
      b.healthProbe(false, 2_400);
      expect(b.state).toBe('open');
      b.healthProbe(true, 2_500);
      expect(b.tryAcquire()).toBe(true);
      b.recordSuccess();
      expect(b.state).toBe('closed');
    });

    it('falls back to the timed half-open when the health probe stops reporting', () => {
      const b = gated();
      for (let i = 0; i < 3; i += 1) b.recordFailure();
      b.healthProbe(false, 0);
      now = 10_000;
      expect(b.state).toBe('open');
      now = 10_001;
      expect(b.state).toBe('half-open');
    });
  });

  // The outage-drain finding (docs/sender.md): every timed half-open probe opened an interactive session, charged to
  // KSeF's `onlineSession` limit (120 an hour); after an hour's outage the first open after KSeF's return waited for
  // that hour's window. A 15-minute outage with production limits, on a fake clock, as the scheduler drives the
  // breaker: each round a probe the breaker lets through opens a session (one `onlineSession` slot) that fails.
  // SENDER_BREAKER_OPEN_MS 5 s as in the bench: 120 probes in 10 minutes (with the default 30 s, after an hour).
  describe('a 15-minute outage and the session-open budget', () => {
    const OPEN_MS = 5_000;
    const PROBE_EVERY_MS = 15_000;

    const OUTAGE_ENDS = 15 * 60_000;

    async function outageThenRecovery(gate: boolean): Promise<{ opensDuringOutage: number; sentAfterRecoveryMs: number }> {
      now = 0;
      const limiter = new KsefRateLimiter({ limits: PRODUCTION_RATE_LIMITS, now: () => now, sleep: async (ms) => void (now += ms) });
      const b = new CircuitBreaker(5, OPEN_MS, () => now);
      if (gate) b.gateOnHealthProbe(3 * PROBE_EVERY_MS);
      // KSeF's state follows the clock, not the rounds: a round that sits in the limiter does not stop KSeF returning.
      const ksefUp = () => now >= OUTAGE_ENDS;
      let lastProbe = Number.NEGATIVE_INFINITY;
      let opensDuringOutage = 0;
      /** One scheduler round (1 s apart) plus the availability monitor's probe when due; true when an invoice went. */
      const round = async (): Promise<boolean> => {
        if (gate && now - lastProbe >= PROBE_EVERY_MS) {
          lastProbe = now;
          b.healthProbe(ksefUp(), now);
        }
        if (!b.tryAcquire()) return false;
        await limiter.acquire('Nip:5265877635', 'onlineSession');
        if (ksefUp()) {
          b.recordSuccess();
          return true;
        }
        opensDuringOutage += 1;
        b.recordFailure();
        return false;
      };
      while (!(await round())) now += 1_000;
      return { opensDuringOutage, sentAfterRecoveryMs: now - OUTAGE_ENDS };
    }

    it('gated: no session is opened into the dead KSeF, and the first send goes within a probe interval of its return', async () => {
      const { opensDuringOutage, sentAfterRecoveryMs } = await outageThenRecovery(true);
      expect(opensDuringOutage).toBe(5);
      expect(sentAfterRecoveryMs).toBeLessThanOrEqual(PROBE_EVERY_MS);
    });

    it('(the old behaviour, for contrast) timed probes spend the hour budget and the first send after the return waits', async () => {
      const { opensDuringOutage, sentAfterRecoveryMs } = await outageThenRecovery(false);
      expect(opensDuringOutage).toBeGreaterThanOrEqual(PRODUCTION_RATE_LIMITS.onlineSession.perHour);
      expect(sentAfterRecoveryMs).toBeGreaterThan(30 * 60_000);
    });
  });
});
