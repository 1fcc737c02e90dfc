import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offline invoices (issue #7): the offline mode an invoice was issued in, the end of the period that starts its
 * deadline when the ERP knows it, the technical correction's `hashOfCorrectedInvoice`, and the computed legal send
 * deadline (`send_deadline`, NULL while it is pending or when there is none) with the basis it was computed from.
 * The due-jobs index gets the deadline so the drain order (earliest deadline first) stays an index scan.
 */
export function sendJobOfflineMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class SendJobOffline1764200000002 implements MigrationInterface {
    name = 'SendJobOffline1764200000002';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.send_jobs
        ADD COLUMN offline_mode text CHECK (offline_mode IN ('offline24', 'unavailability', 'failure', 'total-failure')),
        ADD COLUMN offline_period_ended_at timestamptz,
        ADD COLUMN issue_date date,
        ADD COLUMN hash_of_corrected_invoice text CHECK (hash_of_corrected_invoice ~ '^[A-Za-z0-9+/]{43}=$'),
        ADD COLUMN send_deadline timestamptz,
        ADD COLUMN send_deadline_basis text,
        ADD CONSTRAINT send_jobs_deadline_needs_offline CHECK (send_deadline IS NULL OR offline_mode IS NOT NULL)`);
      await q.query(`CREATE INDEX send_jobs_offline_unsent ON ${s}.send_jobs (offline_mode) WHERE offline_mode IS NOT NULL AND state IN ('QUEUED', 'SENDING', 'ESCALATED')`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX ${s}.send_jobs_offline_unsent`);
      await q.query(`ALTER TABLE ${s}.send_jobs DROP CONSTRAINT send_jobs_deadline_needs_offline, DROP COLUMN offline_mode, DROP COLUMN offline_period_ended_at,
        DROP COLUMN issue_date, DROP COLUMN hash_of_corrected_invoice, DROP COLUMN send_deadline, DROP COLUMN send_deadline_basis`);
    }
  }
  return [SendJobOffline1764200000002];
}
