import type { EntityManager } from 'typeorm';
import { endOfWarsawDay, startOfWarsawDay, type AnnouncedFailure, type DeadlineState, type OfflineMode } from '@ksef-bridge/offline-mode';
import { returnedRows } from '../infrastructure/returned-rows';
import { needsObservedOutage, offlineDeadline, OFFLINE_DEADLINE_STATES, reevaluatedDeadline, storedDeadlineState, type ObservedOutage, type StoredDeadline } from './offline-deadline';

/** States of a send job whose invoice has not reached KSeF (ESCALATED ones wait for a person, still unsent). */
const UNSENT = `('QUEUED', 'SENDING', 'ESCALATED')`;

/**
 * The failures KSeF announced, as far as known: a list (possibly empty) once the feed was read, undefined before
 * (`LatarniaFeed.failureSnapshot`). Without a source (no feed configured) the sender knows of no announced failure.
 */
export type AnnouncedFailureSource = () => { failures: AnnouncedFailure[]; fingerprint: string } | undefined;

/** One step of a re-evaluation sweep: jobs looked at, deadlines moved, and where the next step starts. */
export interface ReevaluationStep {
  examined: number;
  moved: number;
  /** The last invoice id examined (the keyset cursor), undefined when none was. */
  lastId: string | undefined;
}

/** Unsent offline jobs per tenant and deadline state: the regulatory gauge's input. */
export type OfflineCounts = Map<string, Record<DeadlineState, number>>;

/**
 * Offline send jobs: the KSeF unavailability the sender recorded (read only: `ksef_availability` belongs to the
 * availability slice), deadlines that were pending until such a period ended, and the counts per deadline state.
 */
export class OfflineJobsRepository {
  private readonly jobs: string;
  private readonly availability: string;
  private failureSource: AnnouncedFailureSource | undefined;
  /** When `resolvePending` first found the configured feed unread (it waits for it, but not forever). */
  private unreadSince: number | undefined;

  constructor(schema: string) {
    this.jobs = `"${schema}".send_jobs`;
    this.availability = `"${schema}".ksef_availability`;
  }

  /** Wires the announced failures in (the sender module gives the Latarnia feed's snapshot). */
  useAnnouncedFailures(source: AnnouncedFailureSource): void {
    this.failureSource = source;
  }

  /** True when a source is wired in (the feed is configured), whether or not it has been read yet. */
  get followsAnnouncements(): boolean {
    return this.failureSource !== undefined;
  }

  /**
   * The announced failures now: [] without a feed; undefined while the feed has not been read (nothing is known yet:
   * callers that could move a deadline earlier by ignoring a failure must wait).
   */
  announcedFailures(): { failures: AnnouncedFailure[]; fingerprint: string } | undefined {
    return this.failureSource ? this.failureSource() : { failures: [], fingerprint: '' };
  }

  /**
   * The announced failures for a job being enqueued in `manager`'s transaction ([] while the feed is unread: the first
   * sweep re-evaluates it). Takes a shared transaction lock first, which the first step of a re-evaluation sweep takes
   * exclusively: a job computed with an older list is then committed before that sweep reads the jobs, never slipped
   * in behind its cursor while the list changed.
   */
  async failuresAtEnqueue(manager: EntityManager): Promise<AnnouncedFailure[]> {
    if (!this.failureSource) return [];
    await manager.query(`SELECT pg_advisory_xact_lock_shared(hashtext($1))`, [this.lockName]);
    return this.failureSource()?.failures ?? [];
  }

  private get lockName(): string {
    return `${this.jobs}:offline-deadlines`;
  }

  /**
   * The first UNAVAILABLE period the sender recorded that overlaps the Warsaw day `issueDate`, and its end: the first
   * AVAILABLE period starting after it began (an outage may pass through DEGRADED before it is over). The sender talks
   * to one KSeF endpoint, so the history is not filtered by endpoint.
   */
  async observedOutage(manager: EntityManager, issueDate: string): Promise<ObservedOutage> {
    const rows: Array<{ since: Date; ended_at: Date | null }> = await manager.query(
      `SELECT u.started_at AS since,
              (SELECT min(a.started_at) FROM ${this.availability} a WHERE a.state = 'AVAILABLE' AND a.started_at >= u.started_at) AS ended_at
       FROM ${this.availability} u
       WHERE u.state = 'UNAVAILABLE' AND u.started_at < $2 AND (u.ended_at IS NULL OR u.ended_at >= $1)
       ORDER BY u.started_at LIMIT 1`,
      [startOfWarsawDay(issueDate), endOfWarsawDay(issueDate)],
    );
    const row = rows[0];
    if (!row) return { kind: 'none' };
    return row.ended_at ? { kind: 'ended', since: row.since, endedAt: row.ended_at } : { kind: 'ongoing', since: row.since };
  }

  /**
   * Computes the deadlines still pending because the unavailability the sender observed had not ended: one pass per
   * issue date, with the announced failures (a failure still going on keeps them pending). Returns how many jobs got a
   * deadline. Cheap when there are none (partial index on unsent offline jobs). While the configured feed has not
   * been read (just after a start) it waits up to `unreadWaitMs`: a deadline pending through an announced failure
   * would otherwise flip to the earlier one without it for a moment. After that it goes on without failures (the
   * earliest possible deadline, so never a later one than the law's; the sweep moves it once the feed is read).
   */
  async resolvePending(manager: EntityManager, unreadWaitMs = 60_000): Promise<number> {
    let announced = this.announcedFailures();
    if (announced) this.unreadSince = undefined;
    else {
      this.unreadSince ??= Date.now();
      if (Date.now() - this.unreadSince < unreadWaitMs) return 0;
      announced = { failures: [], fingerprint: '' };
    }
    const pending: Array<{ offline_mode: 'unavailability' | 'failure'; issue_date: string }> = await manager.query(
      `SELECT DISTINCT offline_mode, to_char(issue_date, 'YYYY-MM-DD') AS issue_date FROM ${this.jobs}
       WHERE offline_mode IN ('unavailability', 'failure') AND send_deadline IS NULL AND offline_period_ended_at IS NULL AND state IN ${UNSENT}`,
    );
    let resolved = 0;
    for (const p of pending) {
      const deadline = offlineDeadline({ mode: p.offline_mode, issueDate: p.issue_date }, await this.observedOutage(manager, p.issue_date), announced.failures);
      if (deadline.kind !== 'due') continue;
      const rows = returnedRows(await manager.query(
        `UPDATE ${this.jobs} SET send_deadline = $3, send_deadline_basis = $4, updated_at = clock_timestamp()
         WHERE offline_mode = $1 AND issue_date = $2::date AND send_deadline IS NULL AND offline_period_ended_at IS NULL AND state IN ${UNSENT} RETURNING invoice_id`,
        [p.offline_mode, p.issue_date, deadline.sendDeadline, deadline.basis],
      ));
      resolved += rows.length;
    }
    return resolved;
  }

  /**
   * Re-evaluates the stored deadlines of up to `limit` unsent offline jobs (QUEUED, SENDING, ESCALATED; total failure
   * has none) after `afterId` in invoice-id order, against `failures`: a deadline moves only as `reevaluatedDeadline`
   * allows (later, or pending while a failure lasts). Sent jobs are never touched: a failure announced after the
   * invoice reached KSeF changes nothing. Each update re-checks the state and the deadline it read (a job sent or
   * moved meanwhile keeps what it has).
   */
  async reevaluate(manager: EntityManager, failures: AnnouncedFailure[], afterId: string | undefined, limit: number): Promise<ReevaluationStep> {
    // The start of a pass waits for enqueues in flight (they may have used the previous list; failuresAtEnqueue).
    if (afterId === undefined) await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [this.lockName]);
    const rows: Array<{ invoice_id: string; offline_mode: OfflineMode; issue_date: string; offline_period_ended_at: Date | null; send_deadline: Date | null; send_deadline_basis: string | null }> = await manager.query(
      `SELECT invoice_id, offline_mode, to_char(issue_date, 'YYYY-MM-DD') AS issue_date, offline_period_ended_at, send_deadline, send_deadline_basis
       FROM ${this.jobs}
       WHERE offline_mode IN ('offline24', 'unavailability', 'failure') AND state IN ${UNSENT} AND ($1::uuid IS NULL OR invoice_id > $1::uuid)
       ORDER BY invoice_id LIMIT $2`,
      [afterId ?? null, limit],
    );
    const outages = new Map<string, ObservedOutage>();
    let moved = 0;
    for (const r of rows) {
      const facts = { mode: r.offline_mode, issueDate: r.issue_date, periodEndedAt: r.offline_period_ended_at };
      let observed: ObservedOutage | undefined;
      if (needsObservedOutage(facts)) {
        observed = outages.get(r.issue_date) ?? (await this.observedOutage(manager, r.issue_date));
        outages.set(r.issue_date, observed);
      }
      let next: StoredDeadline | undefined;
      try {
        next = reevaluatedDeadline({ sendDeadline: r.send_deadline, basis: r.send_deadline_basis }, offlineDeadline(facts, observed, failures));
      } catch {
        continue; // an issue date outside the calendar was refused at enqueue; such a job cannot exist, and keeps its deadline
      }
      if (!next) continue;
      const updated = returnedRows(await manager.query(
        `UPDATE ${this.jobs} SET send_deadline = $2, send_deadline_basis = $3, updated_at = clock_timestamp()
         WHERE invoice_id = $1 AND state IN ${UNSENT} AND send_deadline IS NOT DISTINCT FROM $4::timestamptz RETURNING invoice_id`,
        [r.invoice_id, next.sendDeadline, next.basis, r.send_deadline],
      ));
      moved += updated.length;
    }
    return { examined: rows.length, moved, lastId: rows.at(-1)?.invoice_id };
  }

  /** Unsent offline jobs per tenant and deadline state at `now` (every state present, 0 included). */
  async countsByState(manager: EntityManager, now: Date, warnBeforeMs: number): Promise<OfflineCounts> {
    // Deadlines are day boundaries, so grouping by the stored instant keeps this a handful of rows.
    const rows: Array<{ tenant_id: string; offline_mode: OfflineMode; send_deadline: Date | null; n: number }> = await manager.query(
      `SELECT tenant_id, offline_mode, send_deadline, count(*)::int AS n FROM ${this.jobs}
       WHERE offline_mode IS NOT NULL AND state IN ${UNSENT} GROUP BY 1, 2, 3`,
    );
    const counts: OfflineCounts = new Map();
    for (const r of rows) {
      const perState = counts.get(r.tenant_id) ?? (Object.fromEntries(OFFLINE_DEADLINE_STATES.map((s) => [s, 0])) as Record<DeadlineState, number>);
      perState[storedDeadlineState(r.offline_mode, r.send_deadline, now, warnBeforeMs)] += r.n;
      counts.set(r.tenant_id, perState);
    }
    return counts;
  }
}
