import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invoice exports (`POST /invoices/exports`): status, package description and the encrypted parts. */
export class InvoiceExports1764080000000 implements MigrationInterface {
  name = 'InvoiceExports1764080000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ksef_simulator.invoice_exports (
      reference_number text PRIMARY KEY, context_type text NOT NULL, context_value text NOT NULL,
      status_code int NOT NULL, status_description text NOT NULL, created_at timestamptz NOT NULL,
      completed_at timestamptz, package jsonb)`);
    await q.query(`CREATE TABLE ksef_simulator.invoice_export_parts (export_reference text NOT NULL, ordinal int NOT NULL, data bytea NOT NULL,
      PRIMARY KEY (export_reference, ordinal))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ksef_simulator.invoice_export_parts');
    await q.query('DROP TABLE ksef_simulator.invoice_exports');
  }
}
