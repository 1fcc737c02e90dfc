import { AvailabilityTracker } from './availability-tracker';

const windows = { degradedAfterMs: 10_000, confirmMs: 60_000, recoverMs: 15_000 };

describe('AvailabilityTracker', () => {
  it('starts AVAILABLE when KSeF answers, DEGRADED when the first thing seen is a failure', () => {
    const ok = new AvailabilityTracker(windows);
    ok.success(1_000);
    expect(ok.derive(undefined, 1_000)).toMatchObject({ state: 'AVAILABLE', cause: 'FIRST_OBSERVATION' });
    const down = new AvailabilityTracker(windows);
    down.failure(1_000, 'HEALTH_PROBE_FAILED', 'HTTP 503');
    expect(down.derive(undefined, 1_000)).toMatchObject({ state: 'DEGRADED', cause: 'HEALTH_PROBE_FAILED', detail: 'HTTP 503' });
  });

  it('a failure streak goes AVAILABLE → DEGRADED → UNAVAILABLE only after its windows, since = the first failure', () => {
    const t = new AvailabilityTracker(windows);
    t.success(0);
    t.failure(1_000, 'HEALTH_PROBE_FAILED', 'HTTP 503');
    expect(t.derive('AVAILABLE', 10_999).state).toBe('AVAILABLE');
    expect(t.derive('AVAILABLE', 11_000).state).toBe('DEGRADED');
    t.failure(30_000, 'HEALTH_PROBE_FAILED', 'HTTP 503');
    expect(t.derive('DEGRADED', 60_999).state).toBe('DEGRADED');
    expect(t.derive('DEGRADED', 61_000)).toEqual({ state: 'UNAVAILABLE', since: 1_000, cause: 'HEALTH_PROBE_FAILED', detail: 'HTTP 503' });
  });

  it('does not flap: one failed probe between successes never reaches UNAVAILABLE, a blip shorter than degradedAfterMs changes nothing', () => {
    const t = new AvailabilityTracker(windows);
    t.success(0);
    t.failure(1_000, 'HEALTH_PROBE_FAILED', 'timeout');
    expect(t.derive('AVAILABLE', 5_000).state).toBe('AVAILABLE');
    t.success(6_000);
    expect(t.derive('AVAILABLE', 100_000).state).toBe('AVAILABLE');
  });

  it('leaves UNAVAILABLE only after answering for recoverMs; a failure inside the window restarts it', () => {
    const t = new AvailabilityTracker(windows);
    t.failure(0, 'CIRCUIT_OPEN', 'open');
    expect(t.derive('AVAILABLE', 60_000).state).toBe('UNAVAILABLE');
    t.success(70_000);
    expect(t.derive('UNAVAILABLE', 80_000).state).toBe('UNAVAILABLE');
    t.failure(81_000, 'HEALTH_PROBE_FAILED', 'HTTP 503');
    // A new, short failing streak does not downgrade a confirmed outage to DEGRADED.
    expect(t.derive('UNAVAILABLE', 82_000).state).toBe('UNAVAILABLE');
    t.success(90_000);
    expect(t.derive('UNAVAILABLE', 104_999).state).toBe('UNAVAILABLE');
    expect(t.derive('UNAVAILABLE', 105_000)).toMatchObject({ state: 'AVAILABLE', since: 90_000, cause: 'RECOVERED' });
  });

  it('ignores a success older than the last failure', () => {
    const t = new AvailabilityTracker(windows);
    t.failure(10_000, 'HEALTH_PROBE_FAILED', 'x');
    t.success(9_000);
    expect(t.derive('AVAILABLE', 80_000).state).toBe('UNAVAILABLE');
  });

  it('reads the breaker: an opening is a failure at its time (once), closing after it is a success', () => {
    const t = new AvailabilityTracker(windows);
    t.success(0);
    t.breaker(5_000, 5_000, 5);
    t.breaker(5_000, 20_000, 5);
    expect(t.derive('AVAILABLE', 64_999).state).toBe('DEGRADED');
    expect(t.derive('AVAILABLE', 65_000)).toMatchObject({ state: 'UNAVAILABLE', since: 5_000, cause: 'CIRCUIT_OPEN' });
    t.breaker(undefined, 70_000, 0);
    expect(t.derive('UNAVAILABLE', 85_000)).toMatchObject({ state: 'AVAILABLE', since: 70_000 });
    // A breaker that was never open says nothing.
    const quiet = new AvailabilityTracker(windows);
    quiet.breaker(undefined, 1_000, 0);
    quiet.failure(2_000, 'HEALTH_PROBE_FAILED', 'x');
    expect(quiet.derive('AVAILABLE', 70_000).state).toBe('UNAVAILABLE');
  });
});
