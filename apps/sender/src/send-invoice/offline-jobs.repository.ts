import type { EntityManager } from 'typeorm';
import { endOfWarsawDay, startOfWarsawDay, type DeadlineState, type OfflineMode } from '@ksef-bridge/offline-mode';
import { returnedRows } from '../infrastructure/returned-rows';
import { offlineDeadline, OFFLINE_DEADLINE_STATES, storedDeadlineState, type ObservedOutage } from './offline-deadline';

/** States of a send job whose invoice has not reached KSeF (ESCALATED ones wait for a person, still unsent). */
const UNSENT = `('QUEUED', 'SENDING', 'ESCALATED')`;

/** Unsent offline jobs per tenant and deadline state: the regulatory gauge's input. */
export type OfflineCounts = Map<string, Record<DeadlineState, number>>;

/**
 * Offline send jobs: the KSeF unavailability the sender recorded (read only: `ksef_availability` belongs to the
 * availability slice), deadlines that were pending until such a period ended, and the counts per deadline state.
 */
export class OfflineJobsRepository {
  private readonly jobs: string;
  private readonly availability: string;

  constructor(schema: string) {
    this.jobs = `"${schema}".send_jobs`;
    this.availability = `"${schema}".ksef_availability`;
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
   * issue date. Returns how many jobs got a deadline. Cheap when there are none (partial index on unsent offline jobs).
   */
  async resolvePending(manager: EntityManager): Promise<number> {
    const pending: Array<{ offline_mode: 'unavailability' | 'failure'; issue_date: string }> = await manager.query(
      `SELECT DISTINCT offline_mode, to_char(issue_date, 'YYYY-MM-DD') AS issue_date FROM ${this.jobs}
       WHERE offline_mode IN ('unavailability', 'failure') AND send_deadline IS NULL AND offline_period_ended_at IS NULL AND state IN ${UNSENT}`,
    );
    let resolved = 0;
    for (const p of pending) {
      const deadline = offlineDeadline({ mode: p.offline_mode, issueDate: p.issue_date }, await this.observedOutage(manager, p.issue_date));
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
