import type { LimitValues } from './rate-limit-groups';

interface Bucket {
  /** Timestamps (simulated ms) of admitted requests within the last hour, oldest first. */
  hits: number[];
  head: number;
  violations: number;
  lastViolationAt: number;
  blockedUntil: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; window: 'second' | 'minute' | 'hour' | 'block' };

const WINDOWS = [
  ['second', 1_000, 'perSecond'],
  ['minute', 60_000, 'perMinute'],
  ['hour', 3_600_000, 'perHour'],
] as const;

/** Cap of a block; KSeF's blocks also lengthen with repeated violations but stay bounded. */
const MAX_BLOCK_MS = 3_600_000;
/** Violations older than this are forgotten, so a well-behaved client starts again from short blocks. */
const VIOLATION_MEMORY_MS = 3_600_000;

/**
 * Sliding-window limiter (last second, last 60 s, last 60 min, all at once; not aligned to clock minutes).
 * On a violation the key is blocked until a slot frees up, and the block doubles with each further violation
 * (1x, 2x, 4x... capped at 1 h): ignoring Retry-After makes it grow.
 */
export class SlidingWindowLimiter {
  private readonly buckets = new Map<string, Bucket>();

  check(key: string, limits: LimitValues, now: number): LimitDecision {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { hits: [], head: 0, violations: 0, lastViolationAt: 0, blockedUntil: 0 };
      this.buckets.set(key, bucket);
    }
    while (bucket.head < bucket.hits.length && bucket.hits[bucket.head] <= now - 3_600_000) bucket.head++;
    if (bucket.head > 1024 && bucket.head * 2 > bucket.hits.length) {
      bucket.hits = bucket.hits.slice(bucket.head);
      bucket.head = 0;
    }
    if (now < bucket.blockedUntil) return this.violate(bucket, now, Math.max(bucket.blockedUntil - now, 1), 'block');
    for (const [name, windowMs, field] of WINDOWS) {
      const limit = limits[field];
      const inWindow = this.countSince(bucket, now - windowMs);
      if (inWindow >= limit) {
        // The slot frees when the oldest hit inside the window leaves it.
        const oldestInWindow = bucket.hits[bucket.hits.length - limit] ?? now;
        return this.violate(bucket, now, Math.max(oldestInWindow + windowMs - now, 1), name);
      }
    }
    bucket.hits.push(now);
    return { allowed: true };
  }

  reset(): void {
    this.buckets.clear();
  }

  private violate(bucket: Bucket, now: number, waitMs: number, window: 'second' | 'minute' | 'hour' | 'block'): LimitDecision {
    if (now - bucket.lastViolationAt > VIOLATION_MEMORY_MS) bucket.violations = 0;
    bucket.violations++;
    bucket.lastViolationAt = now;
    const blockMs = Math.min(MAX_BLOCK_MS, waitMs * 2 ** (bucket.violations - 1));
    bucket.blockedUntil = Math.max(bucket.blockedUntil, now + blockMs);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((bucket.blockedUntil - now) / 1000)), window };
  }

  /** Hits with timestamp > since (binary search over the sorted live part). */
  private countSince(bucket: Bucket, since: number): number {
    let lo = bucket.head;
    let hi = bucket.hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bucket.hits[mid] > since) hi = mid;
      else lo = mid + 1;
    }
    return bucket.hits.length - lo;
  }
}
