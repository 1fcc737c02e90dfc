import type { KsefAvailabilityCause, KsefAvailabilityState } from '@ksef-bridge/contracts';

/** Anti-flapping windows of the availability state (docs/sender.md "KSeF availability"). */
export interface AvailabilityWindows {
  /** Failing continuously this long → DEGRADED (default 10 s). */
  degradedAfterMs: number;
  /** Failing continuously this long → UNAVAILABLE (default 60 s): a short breaker opening is not an outage. */
  confirmMs: number;
  /** Answering again this long → AVAILABLE (default 15 s): one lucky probe in an outage does not end it. */
  recoverMs: number;
}

export interface DerivedAvailability {
  state: KsefAvailabilityState;
  /** When the signals behind `state` started (first failure, first success after the last failure). */
  since: number;
  cause: KsefAvailabilityCause;
  detail: string;
}

/**
 * Folds the sender's signals about one KSeF endpoint (circuit breaker openings, health-probe results, sends that
 * worked) into AVAILABLE / DEGRADED / UNAVAILABLE. Pure: no timers, no I/O; the monitor feeds it and persists the
 * transitions it reports. A failure starts a failing streak; only a success newer than the last failure ends it.
 */
export class AvailabilityTracker {
  private failingSince: number | undefined;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private healthySince: number | undefined;
  private failureCause: KsefAvailabilityCause = 'HEALTH_PROBE_FAILED';
  private failureDetail = '';
  private lastBreakerOpenedAt: number | undefined;

  constructor(private readonly windows: AvailabilityWindows) {}

  /** A KSeF call (probe or send) failed for lack of an answer at `at`. */
  failure(at: number, cause: KsefAvailabilityCause, detail: string): void {
    if (this.failingSince === undefined) this.failingSince = at;
    this.lastFailureAt = Math.max(this.lastFailureAt, at);
    this.healthySince = undefined;
    this.failureCause = cause;
    this.failureDetail = detail;
  }

  /** KSeF answered at `at`. Ignored when a failure was seen later (signals may arrive out of order). */
  success(at: number): void {
    if (at < this.lastFailureAt) return;
    this.failingSince = undefined;
    if (this.healthySince === undefined) this.healthySince = at;
  }

  /**
   * The breaker's opening time (undefined when closed). An opening newer than everything seen is a failure; the
   * breaker closing after an opening means a send got an answer: a success.
   */
  breaker(openedAt: number | undefined, now: number, failures: number): void {
    if (openedAt !== undefined && openedAt !== this.lastBreakerOpenedAt) {
      this.lastBreakerOpenedAt = openedAt;
      this.failure(openedAt, 'CIRCUIT_OPEN', `circuit breaker opened after ${failures} consecutive failures without an answer`);
    } else if (openedAt === undefined && this.lastBreakerOpenedAt !== undefined) {
      this.lastBreakerOpenedAt = undefined;
      this.success(now);
    }
  }

  /** The state given the one currently recorded (`current`, undefined before any): hysteresis in both directions. */
  derive(current: KsefAvailabilityState | undefined, now: number): DerivedAvailability {
    const w = this.windows;
    if (this.failingSince === undefined) {
      const since = this.healthySince ?? now;
      if (current === undefined || current === 'AVAILABLE' || now - since >= w.recoverMs) return { state: 'AVAILABLE', since, cause: current === undefined ? 'FIRST_OBSERVATION' : 'RECOVERED', detail: 'KSeF answers' };
      return { state: current, since, cause: 'RECOVERED', detail: 'KSeF answers; waiting for the recovery window' };
    }
    const failing = { since: this.failingSince, cause: this.failureCause, detail: this.failureDetail };
    const elapsed = now - this.failingSince;
    // Once confirmed, an outage ends only through the recovery window, never through a new, shorter failing streak.
    if (current === 'UNAVAILABLE' || elapsed >= w.confirmMs) return { state: 'UNAVAILABLE', ...failing };
    if (elapsed >= w.degradedAfterMs) return { state: 'DEGRADED', ...failing };
    // Nothing recorded yet and the first thing seen is a failure: say so, without claiming an outage.
    if (current === undefined) return { state: 'DEGRADED', ...failing };
    return { state: current, ...failing };
  }
}
