import type { RateLimitValues } from '../model/ksef-api.types';
import { PRODUCTION_RATE_LIMITS, type RateLimitGroup, type RateLimitTable } from './rate-limit-groups';

export interface RateLimiterOptions {
  /** Limits per group; missing groups fall back to the published production values. */
  limits?: Partial<RateLimitTable>;
  /**
   * Added to every window length. KSeF counts arrivals, we count departures: network jitter can squeeze two calls
   * we sent 1 000 ms apart into one server-side second. Default 150 ms.
   */
  safetyMarginMs?: number;
  /** Fraction of each published limit we allow ourselves (0 < f ≤ 1). Default 1. */
  utilisation?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Timer, for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const WINDOWS: ReadonlyArray<{ key: keyof RateLimitValues; lengthMs: number }> = [
  { key: 'perSecond', lengthMs: 1_000 },
  { key: 'perMinute', lengthMs: 60_000 },
  { key: 'perHour', lengthMs: 3_600_000 },
];

/**
 * Client-side sliding-window limiter per (context, group), mirroring how KSeF counts (last second, last minute,
 * last hour, all at once). `acquire` waits until a call fits every window and records it, so a burst of sends is
 * spread out instead of discovering 429s. One instance should be shared by every client calling KSeF from the same
 * IP in the same context, because KSeF counts them together.
 */
export class KsefRateLimiter {
  private readonly limits: RateLimitTable;
  private readonly marginMs: number;
  private readonly utilisation: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Recorded call times per `${context}\u0000${group}`, oldest first. */
  private readonly history = new Map<string, number[]>();
  /** KSeF told us (429) not to call before this time. */
  private readonly blockedUntil = new Map<string, number>();
  /** Serialises acquirers per key so concurrent callers do not claim the same slot. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: RateLimiterOptions = {}) {
    this.limits = { ...PRODUCTION_RATE_LIMITS, ...(options.limits ?? {}) };
    this.marginMs = options.safetyMarginMs ?? 150;
    this.utilisation = options.utilisation ?? 1;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Current limits of a group. */
  limitsOf(group: RateLimitGroup): RateLimitValues {
    return { ...this.limits[group] };
  }

  /** Replaces limits, e.g. with `GET /rate-limits` (effective values may change at any time). */
  setLimits(limits: Partial<RateLimitTable>): void {
    Object.assign(this.limits, limits);
  }

  /** Milliseconds until one more call of `group` in `context` fits every window (0: now). Records nothing. */
  delayFor(context: string, group: RateLimitGroup): number {
    return (this.plan(context, group, 1)[0] ?? this.now()) - this.now();
  }

  /**
   * Earliest start times (epoch ms) of the next `count` calls of `group` in `context`, if nobody else calls:
   * lets a caller plan a batch of sends (e.g. decide to use a batch session instead) without sending anything.
   */
  plan(context: string, group: RateLimitGroup, count: number): number[] {
    const key = keyOf(context, group);
    const times = [...(this.history.get(key) ?? [])];
    const result: number[] = [];
    let t = Math.max(this.now(), this.blockedUntil.get(key) ?? 0);
    for (let i = 0; i < count; i += 1) {
      t = this.earliestSlot(times, group, t);
      times.push(t);
      result.push(t);
    }
    return result;
  }

  /**
   * Waits until a call of `group` fits, then records it. Calls for one key are granted in arrival order. Resolves with
   * the recorded slot (epoch ms), which `refund` takes back when the call turns out not to count.
   */
  async acquire(context: string, group: RateLimitGroup, signal?: AbortSignal): Promise<number> {
    const key = keyOf(context, group);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(() => this.acquireNow(key, group, signal));
    this.queues.set(key, turn);
    try {
      return await turn;
    } finally {
      if (this.queues.get(key) === turn) this.queues.delete(key);
    }
  }

  /**
   * Gives back a slot `acquire` recorded at `slot`, for a call KSeF did not answer (no response, or a 5xx): such a call
   * must not spend the budget, or a long outage (each failed session open charged to `onlineSession`, 120 an hour)
   * leaves us blocking ourselves for up to an hour after KSeF is back, longer than KSeF itself would. The policy of
   * which failures are refunded lives in the client (`KsefClient`); here it is only bookkeeping. Unknown slots are
   * ignored (already pruned, or refunded twice).
   */
  refund(context: string, group: RateLimitGroup, slot: number): void {
    const times = this.history.get(keyOf(context, group));
    const index = times?.lastIndexOf(slot) ?? -1;
    if (times && index >= 0) times.splice(index, 1);
  }

  /** How many calls of `group` in `context` are counted in the last `windowMs` (default: the hour window). */
  recordedCalls(context: string, group: RateLimitGroup, windowMs = 3_600_000): number {
    const since = this.now() - windowMs;
    return (this.history.get(keyOf(context, group)) ?? []).filter((t) => t > since).length;
  }

  /** Records KSeF's 429: no call of this group in this context before `retryAfterMs` has passed. */
  penalise(context: string, group: RateLimitGroup, retryAfterMs: number): void {
    const key = keyOf(context, group);
    const until = this.now() + retryAfterMs;
    this.blockedUntil.set(key, Math.max(until, this.blockedUntil.get(key) ?? 0));
  }

  private async acquireNow(key: string, group: RateLimitGroup, signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const times = this.history.get(key) ?? [];
      const now = this.now();
      this.prune(times, now);
      const slot = this.earliestSlot(times, group, Math.max(now, this.blockedUntil.get(key) ?? 0));
      if (slot <= now) {
        times.push(now);
        this.history.set(key, times);
        return now;
      }
      await this.sleep(slot - now, signal);
    }
  }

  /** Earliest time ≥ `from` at which a call fits every window given past call `times` (sorted ascending). */
  private earliestSlot(times: readonly number[], group: RateLimitGroup, from: number): number {
    let t = from;
    const values = this.limits[group];
    for (let guard = 0; guard < 10; guard += 1) {
      let moved = false;
      for (const w of WINDOWS) {
        const max = Math.max(1, Math.floor(values[w.key] * this.utilisation));
        const length = w.lengthMs + this.marginMs;
        const inWindow = times.filter((x) => x > t - length);
        if (inWindow.length >= max) {
          // The call fits once the oldest call that keeps the window full has left it.
          const next = (inWindow[inWindow.length - max] ?? t) + length;
          if (next > t) {
            t = next;
            moved = true;
          }
        }
      }
      if (!moved) return t;
    }
    return t;
  }

  private prune(times: number[], now: number): void {
    const horizon = now - (3_600_000 + this.marginMs);
    let drop = 0;
    while (drop < times.length && (times[drop] ?? Infinity) <= horizon) drop += 1;
    if (drop) times.splice(0, drop);
  }
}

function keyOf(context: string, group: RateLimitGroup): string {
  return `${context}\u0000${group}`;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
