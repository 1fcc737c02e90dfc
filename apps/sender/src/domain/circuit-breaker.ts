/**
 * Stops the sender from hammering an unavailable KSeF: after `failureThreshold` consecutive failures that say
 * "KSeF is not answering" (transport, ambiguous, 5xx) the circuit opens for `openMs`; then one probe is let through
 * (half-open): its success closes the circuit, its failure opens it again. While open, due jobs stay QUEUED and no
 * attempt is burned. A rejection or a 429 is an answer, so it counts as success here.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open';
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

  /** Milliseconds until the circuit lets a probe through (0 when closed). */
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
