import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The simulator's durable state: keys, test subjects, KSeF tokens, auth operations, sessions, invoices, limits. */
export class SimulatorInitial1764060000000 implements MigrationInterface {
  name = 'SimulatorInitial1764060000000';

  async up(q: QueryRunner): Promise<void> {
    const s = 'ksef_simulator';
    await q.query(`CREATE TABLE ${s}.sim_keys (usage text PRIMARY KEY, stored jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE ${s}.sim_settings (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE ${s}.subjects (nip text PRIMARY KEY, subject_type text NOT NULL, description text NOT NULL, data jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE ${s}.persons (nip text PRIMARY KEY, pesel text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE ${s}.blocked_contexts (context_type text NOT NULL, context_value text NOT NULL, PRIMARY KEY (context_type, context_value))`);
    await q.query(`CREATE TABLE ${s}.ksef_tokens (
      reference_number text PRIMARY KEY, secret_hash text NOT NULL UNIQUE, context_type text NOT NULL, context_value text NOT NULL,
      permissions jsonb NOT NULL, description text NOT NULL, status text NOT NULL, author jsonb NOT NULL,
      created_at timestamptz NOT NULL, last_use_at timestamptz)`);
    await q.query(`CREATE TABLE ${s}.challenges (challenge text PRIMARY KEY, timestamp_ms bigint NOT NULL, client_ip text NOT NULL, used boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE TABLE ${s}.auth_operations (
      reference_number text PRIMARY KEY, context_type text NOT NULL, context_value text NOT NULL, method text NOT NULL,
      token_reference text, status_code int NOT NULL, status_description text NOT NULL, status_details jsonb,
      permissions jsonb NOT NULL DEFAULT '[]', redeemed boolean NOT NULL DEFAULT false, revoked boolean NOT NULL DEFAULT false,
      refresh_valid_until timestamptz, last_refresh_at timestamptz, started_at timestamptz NOT NULL, ready_at timestamptz NOT NULL, auth_document_hash text)`);
    await q.query(`CREATE TABLE ${s}.sessions (
      reference_number text PRIMARY KEY, session_type text NOT NULL, auth_reference text NOT NULL,
      context_type text NOT NULL, context_value text NOT NULL, form_code jsonb NOT NULL, aes_key bytea, iv bytea NOT NULL,
      status_code int NOT NULL, status_description text NOT NULL, status_details jsonb,
      created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, closed_at timestamptz, valid_until timestamptz NOT NULL,
      invoice_count int NOT NULL DEFAULT 0, offline_mode boolean NOT NULL DEFAULT false, batch jsonb, upo_reference text)`);
    await q.query(`CREATE INDEX sessions_context_idx ON ${s}.sessions (context_type, context_value, created_at)`);
    await q.query(`CREATE TABLE ${s}.invoices (
      reference_number text PRIMARY KEY, session_reference text NOT NULL, ordinal int NOT NULL,
      invoice_hash text NOT NULL, invoice_size int NOT NULL, invoice_file_name text, content bytea,
      status_code int NOT NULL, status_description text NOT NULL, status_details jsonb, status_extensions jsonb,
      ksef_number text UNIQUE, invoice_number text, seller_nip text, invoice_type text, issue_date date,
      acquisition_date timestamptz, invoicing_date timestamptz NOT NULL, permanent_storage_date timestamptz,
      invoicing_mode text NOT NULL, offline_mode boolean NOT NULL, hash_of_corrected text, form_code jsonb NOT NULL,
      metadata jsonb, UNIQUE (session_reference, ordinal))`);
    await q.query(`CREATE INDEX invoices_pending_idx ON ${s}.invoices (status_code) WHERE status_code IN (100, 150)`);
    await q.query(`CREATE INDEX invoices_hash_idx ON ${s}.invoices (invoice_hash)`);
    await q.query(`CREATE INDEX invoices_storage_idx ON ${s}.invoices (seller_nip, permanent_storage_date) WHERE ksef_number IS NOT NULL`);
    // KSeF's duplicate key: seller NIP, invoice kind and invoice number, kept for 10 years (only accepted invoices).
    await q.query(`CREATE TABLE ${s}.duplicate_keys (
      seller_nip text NOT NULL, invoice_type text NOT NULL, invoice_number text NOT NULL,
      ksef_number text NOT NULL, session_reference text NOT NULL, invoice_reference text NOT NULL,
      PRIMARY KEY (seller_nip, invoice_type, invoice_number))`);
    await q.query(`CREATE TABLE ${s}.batch_parts (session_reference text NOT NULL, ordinal int NOT NULL, data bytea NOT NULL,
      uploaded_at timestamptz NOT NULL, PRIMARY KEY (session_reference, ordinal))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['batch_parts', 'duplicate_keys', 'invoices', 'sessions', 'auth_operations', 'challenges', 'ksef_tokens', 'blocked_contexts', 'persons', 'subjects', 'sim_settings', 'sim_keys']) {
      await q.query(`DROP TABLE IF EXISTS ksef_simulator.${t}`);
    }
  }
}
