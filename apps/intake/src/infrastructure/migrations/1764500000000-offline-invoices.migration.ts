import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TRANSITIONS_1764300000000 } from './1764300000000-send-outcome-transitions.migration';

/**
 * Snapshot of the state machine as of this migration: OFFLINE → REJECTED (KSeF refused the send of an offline
 * invoice with documented 4xx codes, the offline twin of QUEUED → REJECTED).
 */
export const TRANSITIONS_1764500000000: ReadonlyArray<readonly [string, string]> = [...TRANSITIONS_1764300000000, ['OFFLINE', 'REJECTED']];

const MODES = ['offline24', 'unavailability', 'failure', 'total-failure'];

/**
 * Offline issuance (issue #7, API.md §11): the invoice's offline mode and, for `unavailability` / `failure`, the end of
 * the period when the ERP gave it; a technical correction names the rejected offline invoice it corrects (same tenant,
 * enforced by intake). Additive, nullable columns: online invoices keep NULLs. A technical correction is always offline.
 */
export function offlineInvoicesMigration(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  const writeTransitions = async (q: QueryRunner, pairs: ReadonlyArray<readonly [string, string]>) => {
    await q.query(`DELETE FROM ${s}.invoice_state_transitions`);
    await q.query(`INSERT INTO ${s}.invoice_state_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, [pairs.map((t) => t[0]), pairs.map((t) => t[1])]);
  };
  return class OfflineInvoices1764500000000 implements MigrationInterface {
    name = 'OfflineInvoices1764500000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.invoices
        ADD COLUMN offline_mode text CHECK (offline_mode IN (${MODES.map((m) => `'${m}'`).join(', ')})),
        ADD COLUMN offline_period_ended_at timestamptz,
        ADD COLUMN technical_correction_of uuid REFERENCES ${s}.invoices (id),
        ADD CONSTRAINT invoices_offline_period CHECK (offline_period_ended_at IS NULL OR offline_mode IN ('unavailability', 'failure', 'total-failure')),
        ADD CONSTRAINT invoices_technical_correction_offline CHECK (technical_correction_of IS NULL OR offline_mode IS NOT NULL)`);
      await q.query(`CREATE INDEX invoices_technical_correction_of ON ${s}.invoices (technical_correction_of) WHERE technical_correction_of IS NOT NULL`);
      await writeTransitions(q, TRANSITIONS_1764500000000);
    }
    async down(q: QueryRunner): Promise<void> {
      await writeTransitions(q, TRANSITIONS_1764300000000);
      await q.query(`DROP INDEX ${s}.invoices_technical_correction_of`);
      await q.query(`ALTER TABLE ${s}.invoices DROP CONSTRAINT invoices_technical_correction_offline, DROP CONSTRAINT invoices_offline_period,
        DROP COLUMN technical_correction_of, DROP COLUMN offline_period_ended_at, DROP COLUMN offline_mode`);
    }
  };
}
