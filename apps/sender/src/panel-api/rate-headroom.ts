import type { KsefRateLimiter } from '@ksef-bridge/ksef-client';

/** Interactive sends of a context KSeF counted recently (from `send_attempts`, every sender instance). */
export interface RecentSends {
  sendsLastMinute: number;
  sendsLastHour: number;
}

/** How much of KSeF's `invoiceSend` budget a context has left, and whether this instance's limiter holds sends back. */
export interface RateHeadroom {
  /** The limits in force (KSEF_RATE_LIMITS: production or te). */
  limits: { perSecond: number; perMinute: number; perHour: number };
  /** Milliseconds until this instance's limiter lets the next send start (0: now; after a 429, what KSeF asked for). */
  nextSendInMs: number;
  /** Limit minus the sends of the last minute / hour (sliding windows, as KSeF counts), never below 0. */
  leftThisMinute: number;
  leftThisHour: number;
}

/** Undefined when rate limiting is off (KSEF_RATE_LIMITS=off: no limits to measure against). */
export function rateHeadroom(limiter: KsefRateLimiter | undefined, nip: string, recent: RecentSends): RateHeadroom | undefined {
  if (!limiter) return undefined;
  const limits = limiter.limitsOf('invoiceSend');
  // The key the context's KsefClient records its calls under (`${type}:${value}`), as the scheduler's batch policy uses.
  const nextSendInMs = Math.max(0, limiter.delayFor(`Nip:${nip}`, 'invoiceSend'));
  return { limits, nextSendInMs, leftThisMinute: Math.max(0, limits.perMinute - recent.sendsLastMinute), leftThisHour: Math.max(0, limits.perHour - recent.sendsLastHour) };
}
