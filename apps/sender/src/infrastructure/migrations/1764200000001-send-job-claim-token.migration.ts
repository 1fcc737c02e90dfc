import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A token per claim of a send job: every write after the claim names it, so a scheduler whose lease ran out (and whose
 * job another scheduler took over) cannot record a second outcome or emit a second event.
 */
export function sendJobClaimTokenMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class SendJobClaimToken1764200000001 implements MigrationInterface {
    name = 'SendJobClaimToken1764200000001';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.send_jobs ADD COLUMN claim_token uuid`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.send_jobs DROP COLUMN claim_token`);
    }
  }
  return [SendJobClaimToken1764200000001];
}
