import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What KSeF's verdict leaves on an invoice: its KSeF number and acquisition date (the legal moment of issue) on the
 * invoice row, the UPO (official receipt) in its own append-only table, and the W3C trace id of the invoice's
 * intake so an SRE can open its trace in Jaeger. No new transitions: SENT → PROCESSING → ACCEPTED/REJECTED are in
 * the state machine since the first migration.
 *
 * A KSeF number belongs to one invoice (unique index), except for 440 duplicates: KSeF answers a resent invoice with
 * the ORIGINAL number, and that original may be one of our invoices too (the same XML under two ERP document ids),
 * so a duplicate's copy of the number (`ksef_duplicate`) is left out of the uniqueness.
 */
export function ksefVerdictsMigration(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  return class KsefVerdicts1764400000000 implements MigrationInterface {
    name = 'KsefVerdicts1764400000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.invoices
        ADD COLUMN ksef_number text CHECK (ksef_number ~ '^[0-9A-Za-z-]{30,40}$'),
        ADD COLUMN ksef_duplicate boolean NOT NULL DEFAULT false,
        ADD COLUMN acquisition_date timestamptz,
        ADD COLUMN trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$')`);
      await q.query(`CREATE UNIQUE INDEX invoices_ksef_number ON ${s}.invoices (ksef_number) WHERE ksef_number IS NOT NULL AND NOT ksef_duplicate`);
      // Look-ups by KSeF number are tenant-scoped and must also find duplicates.
      await q.query(`CREATE INDEX invoices_tenant_ksef_number ON ${s}.invoices (tenant_id, ksef_number) WHERE ksef_number IS NOT NULL`);
      await q.query(`CREATE TABLE ${s}.invoice_upos (
        invoice_id uuid PRIMARY KEY REFERENCES ${s}.invoices (id),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        xml text NOT NULL CHECK (length(xml) > 0),
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
      // A UPO is evidence: like the history and the stored invoice, it never changes (refuse_change from the first migration).
      await q.query(`CREATE TRIGGER invoice_upos_append_only BEFORE UPDATE OR DELETE ON ${s}.invoice_upos FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
      await q.query(`CREATE TRIGGER invoice_upos_no_truncate BEFORE TRUNCATE ON ${s}.invoice_upos FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.invoice_upos`);
      await q.query(`DROP INDEX ${s}.invoices_tenant_ksef_number`);
      await q.query(`DROP INDEX ${s}.invoices_ksef_number`);
      await q.query(`ALTER TABLE ${s}.invoices DROP COLUMN ksef_number, DROP COLUMN ksef_duplicate, DROP COLUMN acquisition_date, DROP COLUMN trace_id`);
    }
  };
}
