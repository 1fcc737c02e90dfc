import type { AnnouncedFailure } from '@ksef-bridge/offline-mode';
import { latestVersions, readLatarnia, type Announcement, type LatarniaMessage, type LatarniaReading, type LatarniaStatus } from './latarnia-feed';

/**
 * Announced KSeF failures (category FAILURE or TOTAL_FAILURE) as `sendDeadline` takes them: one per event, from its
 * newest version; `end` only once KSeF published the event's FAILURE_END (a FAILURE_START's `end` is a planned end,
 * not the end the 7-business-day count starts from). Oldest first. Maintenance is not a failure (see
 * `announcedMaintenanceOf`).
 *
 * Why these categories move offline deadlines (API.md §11, "an announced failure during offline24/offline moves the
 * deadline"): a TOTAL_FAILURE is a failure too (KSeF takes nothing while it lasts), and `@ksef-bridge/offline-mode`
 * models no other effect of it on invoices issued before it, so it counts like a failure (7 business days after its
 * end). MAINTENANCE is planned unavailability (tryb offline), announced ahead: the law's failure rule does not name
 * it, and its own rule (next business day after it ends) is the `unavailability` mode the ERP declares; it is not fed
 * to `sendDeadline` as a failure.
 */
export function announcedFailuresOf(messages: readonly LatarniaMessage[]): AnnouncedFailure[] {
  return latestVersions(messages)
    .filter((m) => m.category === 'FAILURE' || m.category === 'TOTAL_FAILURE')
    .map((m) => ({ start: new Date(m.start), ...(m.type === 'FAILURE_END' && m.end ? { end: new Date(m.end) } : {}) }))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Announced maintenance windows (KSeF's planned unavailability), newest version of each, oldest first. */
export function announcedMaintenanceOf(messages: readonly LatarniaMessage[]): AnnouncedFailure[] {
  return latestVersions(messages)
    .filter((m) => m.category === 'MAINTENANCE')
    .map((m) => ({ start: new Date(m.start), ...(m.end ? { end: new Date(m.end) } : {}) }))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * The announced failures as one value with a fingerprint: the fingerprint changes exactly when a failure is announced,
 * its start is revised or its end is published, so the sender re-evaluates stored deadlines only then (not each round).
 */
export interface AnnouncedFailureSnapshot {
  failures: AnnouncedFailure[];
  fingerprint: string;
  /** When the feed was read (epoch ms). */
  readAt: number;
}

/** Stable text of a failure list (oldest first, as `announcedFailuresOf` gives it); '' for none. */
export function failuresFingerprint(failures: readonly AnnouncedFailure[]): string {
  return failures.map((f) => `${f.start.toISOString()}/${f.end ? f.end.toISOString() : 'ongoing'}`).join(',');
}

/** What the sender last learned from Latarnia: the status (UNKNOWN when unreadable) and the announcement behind it. */
export interface AnnouncedState {
  status: LatarniaStatus;
  announcement?: Announcement;
  /** Why the status is UNKNOWN (the failed read), or '' when readable. */
  detail: string;
}

/**
 * The sender's view of KSeF's announced-failure feed (Latarnia, API.md §11), refreshed by the availability monitor.
 * Read-only for the rest of the sender: `announcedFailures()` gives the failures KSeF announced, as
 * `AnnouncedFailure[]` for `sendDeadline` (@ksef-bridge/offline-mode). Before the first good read, and when the feed
 * has been unreadable for `unknownAfterMs`, the state is UNKNOWN (never AVAILABLE); the last good list of failures is
 * kept meanwhile (an unreadable feed does not un-announce a failure), with `lastReadAt` saying how old it is.
 */
export class LatarniaFeed {
  private lastGood: Extract<LatarniaReading, { ok: true }> | undefined;
  private failingSince: number | undefined;
  private lastFailure = '';
  /** The snapshot of `lastGood` (the scheduler asks every round; the feed changes once per probe round at most). */
  private snapshot: { of: LatarniaReading; value: AnnouncedFailureSnapshot } | undefined;

  constructor(
    /** Latarnia base URL (`…/status`, `…/messages` below it). */
    readonly url: string,
    private readonly timeoutMs: number,
    /** Failed reads for this long turn a known status into UNKNOWN (a single lost read does not). */
    private readonly unknownAfterMs: number,
    private readonly read: (url: string, timeoutMs: number) => Promise<LatarniaReading> = readLatarnia,
  ) {}

  /** Reads the feed once (the availability monitor calls this each probe round). Never throws. */
  async refresh(): Promise<LatarniaReading> {
    const reading = await this.read(this.url, this.timeoutMs).catch((err: unknown): LatarniaReading => ({ ok: false, at: Date.now(), detail: String(err) }));
    this.apply(reading);
    return reading;
  }

  /** Takes a reading (exposed for tests and for callers that read the feed themselves). */
  apply(reading: LatarniaReading): void {
    if (reading.ok) {
      this.lastGood = reading;
      this.failingSince = undefined;
      return;
    }
    this.failingSince ??= reading.at;
    this.lastFailure = reading.detail;
  }

  /** The announced state at `now`. */
  state(now: number = Date.now()): AnnouncedState {
    const failing = this.failingSince !== undefined;
    if (!this.lastGood || (failing && now - (this.failingSince as number) >= this.unknownAfterMs)) {
      return { status: 'UNKNOWN', detail: `Latarnia unreadable: ${this.lastFailure || 'not read yet'}` };
    }
    const { status, announcement } = this.lastGood;
    return { status, ...(announcement ? { announcement } : {}), detail: '' };
  }

  /** The failures KSeF announced (ongoing and ended) as last read; [] before the first good read. */
  announcedFailures(): AnnouncedFailure[] {
    return this.lastGood ? announcedFailuresOf(this.lastGood.messages) : [];
  }

  /**
   * The announced failures with their fingerprint, or undefined while nothing is known (before the first good read):
   * "no failures known" must not be taken for "no failures", or a restart would undo deadlines moved by a failure.
   */
  failureSnapshot(): AnnouncedFailureSnapshot | undefined {
    const reading = this.lastGood;
    if (!reading) return undefined;
    if (this.snapshot?.of !== reading) {
      const failures = announcedFailuresOf(reading.messages);
      this.snapshot = { of: reading, value: { failures, fingerprint: failuresFingerprint(failures), readAt: reading.at } };
    }
    return this.snapshot.value;
  }

  /** Announced maintenance windows as last read. */
  announcedMaintenance(): AnnouncedFailure[] {
    return this.lastGood ? announcedMaintenanceOf(this.lastGood.messages) : [];
  }

  /** When the feed was last read successfully (epoch ms), undefined before. */
  get lastReadAt(): number | undefined {
    return this.lastGood?.at;
  }
}
