import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transitions this migration adds to `poll_plan_transitions` (domain/poll-plan.ts POLL_TRANSITIONS). */
export const POLL_TRANSITIONS_1765000000000_ADDED: ReadonlyArray<readonly [string, string]> = [
  ['ESCALATED', 'UPO_WAITING'],
  ['ESCALATED', 'DONE'],
  ['ESCALATED', 'UPO_LATE'],
  ['ESCALATED', 'REJECTED'],
];

/**
 * Watched escalations (issue #5 follow-up): a KSEF_NO_VERDICT escalation keeps being polled at a slow cadence until
 * `watch_until`, and a late verdict moves the row on (ESCALATED → UPO_WAITING | DONE | UPO_LATE | REJECTED). NULL
 * `watch_until`: not watched (every other escalation, and rows escalated before this migration); it is only read
 * for ESCALATED rows and cleared when the row moves on. The partial index
 * keeps the scheduler's look-up of due watched rows as small as the set of watched escalations.
 */
export function escalationWatchMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  const pairs = (p: ReadonlyArray<readonly [string, string]>) => [p.map((t) => t[0]), p.map((t) => t[1])];
  class StatusPollerEscalationWatch1765000000000 implements MigrationInterface {
    name = 'StatusPollerEscalationWatch1765000000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.poll_plan ADD COLUMN watch_until timestamptz`);
      await q.query(`CREATE INDEX poll_plan_watched_due ON ${s}.poll_plan (next_poll_at) WHERE state = 'ESCALATED' AND watch_until IS NOT NULL`);
      await q.query(`INSERT INTO ${s}.poll_plan_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, pairs(POLL_TRANSITIONS_1765000000000_ADDED));
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DELETE FROM ${s}.poll_plan_transitions t USING unnest($1::text[], $2::text[]) AS a(f, o) WHERE t.from_state = a.f AND t.to_state = a.o`, pairs(POLL_TRANSITIONS_1765000000000_ADDED));
      await q.query(`DROP INDEX ${s}.poll_plan_watched_due`);
      await q.query(`ALTER TABLE ${s}.poll_plan DROP COLUMN watch_until`);
    }
  }
  return [StatusPollerEscalationWatch1765000000000];
}
