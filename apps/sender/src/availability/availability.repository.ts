import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { KsefAvailabilityCause, KsefAvailabilityState } from '@ksef-bridge/contracts';
import type { OutboxWriter } from '@ksef-bridge/outbox';
import { returnedRows } from '../infrastructure/returned-rows';
import { announcedKey, availabilityEvent, type AnnouncedAvailability, type AvailabilityTopics, type RecordedChange } from './availability-event';

export { announcedKey, type AnnouncedAvailability } from './availability-event';

export interface AvailabilityPeriod {
  id: string;
  endpoint: string;
  state: KsefAvailabilityState;
  previousState: KsefAvailabilityState | null;
  startedAt: Date;
  endedAt: Date | null;
  cause: string;
  detail: string;
  /** Null for periods recorded without the feed. */
  announced: AnnouncedAvailability | null;
}

interface Row {
  id: string;
  endpoint: string;
  state: KsefAvailabilityState;
  previous_state: KsefAvailabilityState | null;
  started_at: Date;
  ended_at: Date | null;
  cause: string;
  detail: string;
  announced_status: AnnouncedAvailability['status'] | null;
  announcement: Omit<AnnouncedAvailability, 'status'> | null;
}

const toPeriod = (r: Row): AvailabilityPeriod => ({
  id: r.id,
  endpoint: r.endpoint,
  state: r.state,
  previousState: r.previous_state,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  cause: r.cause,
  detail: r.detail,
  announced: r.announced_status ? { status: r.announced_status, ...(r.announcement ?? {}) } : null,
});

export interface Transition {
  endpoint: string;
  from: KsefAvailabilityState | null;
  to: KsefAvailabilityState;
  since: Date;
  cause: KsefAvailabilityCause;
  detail: string;
  recordedBy: string;
  /** What Latarnia announces now (undefined: the feed is not read; the open row's announcement is then not compared). */
  announced?: AnnouncedAvailability;
  /** The announcement the instance saw recorded (its key must still match, like `from`). */
  fromAnnounced?: AnnouncedAvailability | null;
}

/** The availability history (`ksef_availability`) and its event, written in one transaction. */
export class AvailabilityRepository {
  private readonly table: string;
  private readonly jobs: string;

  constructor(schema: string) {
    this.table = `"${schema}".ksef_availability`;
    this.jobs = `"${schema}".send_jobs`;
  }

  /**
   * KSeF is back: invoices whose retry was pushed back by failures during the outage (a backoff of minutes to an
   * hour) become due now, so the backlog drains at once (oldest first, in batch sessions) instead of trickling in as
   * the backoffs expire. Only jobs last touched since the outage began; their attempt count is kept.
   */
  private async releaseOutageBackoff(manager: EntityManager, endpoint: string, fallbackStart: Date): Promise<void> {
    // The outage began where the last AVAILABLE period ended (an announcement change inside it splits its periods).
    const rows: Array<{ began: Date | null }> = await manager.query(`SELECT max(ended_at) AS began FROM ${this.table} WHERE endpoint = $1 AND state = 'AVAILABLE' AND ended_at IS NOT NULL`, [endpoint]);
    const outageStartedAt = rows[0]?.began ?? fallbackStart;
    await manager.query(
      `UPDATE ${this.jobs} SET next_attempt_at = clock_timestamp() WHERE state = 'QUEUED' AND next_attempt_at > clock_timestamp() AND updated_at >= $1`,
      [outageStartedAt],
    );
  }

  async current(manager: EntityManager, endpoint: string): Promise<AvailabilityPeriod | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE endpoint = $1 AND ended_at IS NULL`, [endpoint]);
    return rows[0] ? toPeriod(rows[0]) : undefined;
  }

  async history(manager: EntityManager, endpoint: string, limit: number): Promise<AvailabilityPeriod[]> {
    const rows: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE endpoint = $1 ORDER BY started_at DESC, recorded_at DESC LIMIT $2`, [endpoint, limit]);
    return rows.map(toPeriod);
  }

  /**
   * Closes the open period if it is still `from` and opens `to`, with its event in the outbox: a state transition is
   * `ksef-availability.changed`, an announcement-only change `ksef-availability.announcement-changed` (availability-event.ts). Returns undefined when
   * the recorded state is no longer `from` (another sender instance recorded a transition first): nothing is written,
   * so one transition gives one row and one event whichever instance saw it.
   */
  async transition(manager: EntityManager, outbox: OutboxWriter, topics: AvailabilityTopics, t: Transition): Promise<RecordedChange | undefined> {
    // The open row is locked (or, when there is none, the unique partial index serialises two first inserts).
    const open: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE endpoint = $1 AND ended_at IS NULL FOR UPDATE`, [t.endpoint]);
    if ((open[0]?.state ?? null) !== t.from) return undefined;
    if (t.announced !== undefined && announcedKey(open[0] ? toPeriod(open[0]).announced : null) !== announcedKey(t.fromAnnounced)) return undefined;
    // A period never ends before it started: a clock step or a late signal records the end at its start.
    if (open[0]) await manager.query(`UPDATE ${this.table} SET ended_at = greatest($2::timestamptz, started_at) WHERE id = $1`, [open[0].id, t.since]);
    const id = randomUUID();
    const inserted = returnedRows<{ started_at: Date }>(
      await manager.query(
        `INSERT INTO ${this.table} (id, endpoint, state, previous_state, started_at, cause, detail, recorded_by, announced_status, announcement)
         VALUES ($1, $2, $3, $4, greatest($5::timestamptz, $6::timestamptz), $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING started_at`,
        [id, t.endpoint, t.to, t.from, t.since, open[0]?.started_at ?? t.since, t.cause, t.detail.slice(0, 500), t.recordedBy, t.announced?.status ?? null, announcementColumn(t.announced)],
      ),
    );
    if (inserted.length === 0) return undefined;
    if (t.to === 'AVAILABLE' && t.from !== 'AVAILABLE' && open[0]) await this.releaseOutageBackoff(manager, t.endpoint, open[0].started_at);
    const change: RecordedChange = { id, endpoint: t.endpoint, from: t.from, to: t.to, since: inserted[0].started_at.toISOString(), cause: t.cause, detail: t.detail.slice(0, 500), ...(t.announced ? { announced: t.announced } : {}), previousAnnounced: open[0] ? toPeriod(open[0]).announced : null };
    // One row, at most one event, in this transaction: the announcement alone changing is published too (its own type).
    const event = availabilityEvent(change, topics);
    if (event) await outbox.enqueue(manager, [event]);
    return change;
  }
}

/** The announcement without its status, as stored in the jsonb column (null when there is none). */
function announcementColumn(a: AnnouncedAvailability | undefined): string | null {
  if (!a) return null;
  const { status: _status, ...rest } = a;
  return Object.keys(rest).length ? JSON.stringify(rest) : null;
}
