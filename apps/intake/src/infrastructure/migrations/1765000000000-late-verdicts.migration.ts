import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TRANSITIONS_1764500000000 } from './1764500000000-offline-invoices.migration';

/**
 * Snapshot of the state machine as of this migration (issue #5 follow-ups):
 * - ESCALATED → ACCEPTED | REJECTED: KSeF's verdict arrived after the status-poller escalated for want of one (it
 *   keeps watching escalated submissions);
 * - CANCELLED → ACCEPTED: KSeF accepted an invoice a person had cancelled: the acceptance is the legal fact;
 * - ESCALATED → OFFLINE: a person retries an escalated offline invoice; it keeps its offline marking.
 */
export const TRANSITIONS_1765000000000: ReadonlyArray<readonly [string, string]> = [
  ...TRANSITIONS_1764500000000,
  ['ESCALATED', 'ACCEPTED'],
  ['ESCALATED', 'REJECTED'],
  ['CANCELLED', 'ACCEPTED'],
  ['ESCALATED', 'OFFLINE'],
];

/** Rewrites the database copy of the allowed transitions (the trigger on `invoices` reads it). */
export function lateVerdictsMigration(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  const write = async (q: QueryRunner, pairs: ReadonlyArray<readonly [string, string]>) => {
    await q.query(`DELETE FROM ${s}.invoice_state_transitions`);
    await q.query(`INSERT INTO ${s}.invoice_state_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, [pairs.map((t) => t[0]), pairs.map((t) => t[1])]);
  };
  return class LateVerdicts1765000000000 implements MigrationInterface {
    name = 'LateVerdicts1765000000000';
    async up(q: QueryRunner): Promise<void> {
      await write(q, TRANSITIONS_1765000000000);
    }
    async down(q: QueryRunner): Promise<void> {
      await write(q, TRANSITIONS_1764500000000);
    }
  };
}
