import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TRANSITIONS_1764100000000 } from './1764100000000-invoice-intake.migration';

/**
 * Snapshot of the state machine as of this migration: the sender's own outcomes, QUEUED → REJECTED (KSeF refused the
 * send with documented 4xx codes) and QUEUED → ESCALATED (attempts exhausted, credentials refused).
 */
export const TRANSITIONS_1764300000000: ReadonlyArray<readonly [string, string]> = [
  ...TRANSITIONS_1764100000000,
  ['QUEUED', 'REJECTED'],
  ['QUEUED', 'ESCALATED'],
];

/** Rewrites the database copy of the allowed transitions (the trigger on `invoices` reads it). */
export function sendOutcomeTransitionsMigration(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  const write = async (q: QueryRunner, pairs: ReadonlyArray<readonly [string, string]>) => {
    await q.query(`DELETE FROM ${s}.invoice_state_transitions`);
    await q.query(`INSERT INTO ${s}.invoice_state_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, [pairs.map((t) => t[0]), pairs.map((t) => t[1])]);
  };
  return class SendOutcomeTransitions1764300000000 implements MigrationInterface {
    name = 'SendOutcomeTransitions1764300000000';
    async up(q: QueryRunner): Promise<void> {
      await write(q, TRANSITIONS_1764300000000);
    }
    async down(q: QueryRunner): Promise<void> {
      await write(q, TRANSITIONS_1764100000000);
    }
  };
}
