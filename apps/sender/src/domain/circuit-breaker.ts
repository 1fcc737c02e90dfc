/**
 * Stops the sender from hammering an unavailable KSeF: after `failureThreshold` consecutive failures that say
 * "KSeF is not answering" (transport, ambiguous, 5xx) the circuit opens for `openMs`; then one probe is let through
 * (half-open): its success closes the circuit, its failure opens it again. While open, due jobs stay QUEUED and no
 * attempt is burned. A rejection or a 429 is an answer, so it counts as success here.
 *
 * With `gateOnHealthProbe` (the availability monitor turns it on when it probes KSeF), `openMs` is only the minimum:
 * the circuit turns half-open once the monitor's cheap, unauthenticated health probe got an answer that started after
 * the circuit opened. The half-open probe is a real send (it may open an interactive session, charged to KSeF's
 * `onlineSession` limit), so during a long outage it no longer goes every `openMs` into a dead KSeF, and the first
 * real send happens only when KSeF is likely up. Should the monitor stop reporting (its loop stalled), the breaker
 * falls back to the timed half-open after `staleAfterMs`, so a broken monitor never keeps sending stopped for good.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private gate: { staleAfterMs: number; since: number } | undefined;
  private lastProbeResultAt = Number.NEGATIVE_INFINITY;
  private lastProbeAnsweredAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    const now = this.now();
    if (now - this.openedAt < this.openMs) return 'open';
    if (!this.gate || this.lastProbeAnsweredAt > this.openedAt) return 'half-open';
    const lastHeard = Math.max(this.lastProbeResultAt, this.gate.since);
    return now - lastHeard > this.gate.staleAfterMs ? 'half-open' : 'open';
  }

  /**
   * From now on a half-open probe also waits for a health probe that found KSeF answering (see the class comment).
   * `staleAfterMs`: with no health-probe result for this long, the timed half-open applies again.
   */
  gateOnHealthProbe(staleAfterMs: number): void {
    this.gate = { staleAfterMs, since: this.now() };
  }

  /** A health-probe result: `ok` = KSeF answered; `startedAt` = when the probe left (an answer to a probe sent before the circuit opened says nothing about after). */
  healthProbe(ok: boolean, startedAt: number): void {
    this.lastProbeResultAt = Math.max(this.lastProbeResultAt, this.now());
    if (ok) this.lastProbeAnsweredAt = Math.max(this.lastProbeAnsweredAt, startedAt);
  }

  /** True when a call may go now; in half-open only the first caller gets true until it reports. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** When the circuit last opened (undefined while closed): read by the availability monitor. */
  get openedSince(): number | undefined {
    return this.openedAt;
  }

  /** Consecutive failures counted so far (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Milliseconds of the minimum open time left (0 when closed; gated, the circuit may stay open past it). */
  remainingOpenMs(): number {
    return this.openedAt === undefined ? 0 : Math.max(0, this.openMs - (this.now() - this.openedAt));
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** The call ended without saying anything about KSeF (e.g. the claim check failed first): lets another probe go. */
  release(): void {
    this.probing = false;
  }

  recordFailure(): void {
    this.failures += 1;
    if (this.probing || this.failures >= this.failureThreshold) this.openedAt = this.now();
    this.probing = false;
  }
}
