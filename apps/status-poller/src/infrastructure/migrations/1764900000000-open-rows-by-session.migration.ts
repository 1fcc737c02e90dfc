import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open poll-plan rows by context and the session that holds their UPO: the poller counts them to decide whether a
 * session's UPO is worth reading instead of per-invoice UPOs (docs/status-poller.md "Session UPO"). Partial, so it
 * stays as small as the backlog however many DONE rows the table keeps.
 */
export function openRowsBySessionMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class StatusPollerOpenRowsBySession1764900000000 implements MigrationInterface {
    name = 'StatusPollerOpenRowsBySession1764900000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `CREATE INDEX poll_plan_open_by_session ON ${s}.poll_plan (context_nip, (coalesce(upo_session_reference_number, session_reference_number))) WHERE state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE')`,
      );
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX ${s}.poll_plan_open_by_session`);
    }
  }
  return [StatusPollerOpenRowsBySession1764900000000];
}
