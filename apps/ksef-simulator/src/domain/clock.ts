/**
 * Simulated time. `scale` simulated seconds pass per real second, counted from the clock's creation, so tests can
 * compress an hour of rate-limit windows or token lifetimes into seconds. Timestamps handed to clients come from here.
 */
export class SimClock {
  private readonly realStart = Date.now();
  private offsetMs = 0;

  constructor(private scale = 1) {}

  now(): number {
    return this.realStart + this.offsetMs + (Date.now() - this.realStart) * this.scale;
  }

  date(): Date {
    return new Date(this.now());
  }

  /** Real milliseconds that correspond to `simulatedMs` (for timers). */
  toRealMs(simulatedMs: number): number {
    return simulatedMs / this.scale;
  }

  /** Moves simulated time forward (tests, admin API). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  setScale(scale: number): void {
    // Keep `now()` continuous when the scale changes.
    const current = this.now();
    this.scale = scale;
    this.offsetMs += current - this.now();
  }

  get currentScale(): number {
    return this.scale;
  }
}
