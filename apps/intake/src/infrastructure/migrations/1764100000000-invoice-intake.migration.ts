import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshot of the state machine (libs/invoice-domain ALLOWED_TRANSITIONS) as of this migration. Migrations never
 * change once shipped, so the pairs are copied here; a unit test fails when the domain and the newest snapshot differ,
 * and the fix is a new migration that rewrites `invoice_state_transitions`.
 */
export const TRANSITIONS_1764100000000: ReadonlyArray<readonly [string, string]> = [
  ['RECEIVED', 'QUEUED'],
  ['RECEIVED', 'INVALID'],
  ['RECEIVED', 'CANCELLED'],
  ['QUEUED', 'SENT'],
  ['QUEUED', 'OFFLINE'],
  ['QUEUED', 'TECHNICAL_ERROR'],
  ['QUEUED', 'CANCELLED'],
  ['SENT', 'PROCESSING'],
  ['SENT', 'ACCEPTED'],
  ['SENT', 'REJECTED'],
  ['SENT', 'TECHNICAL_ERROR'],
  ['SENT', 'ESCALATED'],
  ['PROCESSING', 'ACCEPTED'],
  ['PROCESSING', 'REJECTED'],
  ['PROCESSING', 'TECHNICAL_ERROR'],
  ['PROCESSING', 'ESCALATED'],
  ['TECHNICAL_ERROR', 'QUEUED'],
  ['TECHNICAL_ERROR', 'ESCALATED'],
  ['ESCALATED', 'QUEUED'],
  ['ESCALATED', 'CANCELLED'],
  ['OFFLINE', 'SENT'],
  ['OFFLINE', 'ESCALATED'],
];

const STATES = ['RECEIVED', 'INVALID', 'QUEUED', 'SENT', 'PROCESSING', 'ACCEPTED', 'REJECTED', 'TECHNICAL_ERROR', 'ESCALATED', 'OFFLINE', 'CANCELLED'];

/**
 * Tenants and their API keys (SHA-256 of the key, never the key), invoices with their state, the claim-check store of
 * the XML, and the append-only history. The database enforces what the code enforces: only allowed state transitions
 * (trigger on `invoices`), an invoice starts as RECEIVED, history rows and stored documents never change.
 */
export function invoiceIntakeMigration(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class InvoiceIntake1764100000000 implements MigrationInterface {
    name = 'InvoiceIntake1764100000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.tenants (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);
      await q.query(`CREATE TABLE ${s}.api_keys (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES ${s}.tenants (id),
        key_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(key_sha256) = 32),
        label text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
      await q.query(`CREATE TABLE ${s}.invoices (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES ${s}.tenants (id),
        erp_document_id text NOT NULL,
        idempotency_key text,
        content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        size_bytes integer NOT NULL CHECK (size_bytes > 0),
        state text NOT NULL CHECK (state IN (${STATES.map((x) => `'${x}'`).join(', ')})),
        metadata jsonb NOT NULL DEFAULT '{}',
        context_nip text,
        invoice_number text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, erp_document_id),
        UNIQUE (tenant_id, idempotency_key)
      )`);
      await q.query(`CREATE INDEX invoices_state ON ${s}.invoices (state, updated_at)`);
      await q.query(`CREATE TABLE ${s}.invoice_documents (
        invoice_id uuid PRIMARY KEY REFERENCES ${s}.invoices (id),
        content bytea NOT NULL
      )`);
      await q.query(`CREATE TABLE ${s}.invoice_state_transitions (
        from_state text NOT NULL,
        to_state text NOT NULL,
        PRIMARY KEY (from_state, to_state)
      )`);
      await q.query(
        `INSERT INTO ${s}.invoice_state_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`,
        [TRANSITIONS_1764100000000.map((t) => t[0]), TRANSITIONS_1764100000000.map((t) => t[1])],
      );
      await q.query(`CREATE FUNCTION ${s}.invoices_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.state <> 'RECEIVED' THEN
              RAISE EXCEPTION 'an invoice starts as RECEIVED, not %', NEW.state USING ERRCODE = 'check_violation';
            END IF;
          ELSIF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
            SELECT 1 FROM ${s}.invoice_state_transitions t WHERE t.from_state = OLD.state AND t.to_state = NEW.state
          ) THEN
            RAISE EXCEPTION 'illegal invoice state transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$`);
      await q.query(`CREATE TRIGGER invoices_guard_state BEFORE INSERT OR UPDATE ON ${s}.invoices FOR EACH ROW EXECUTE FUNCTION ${s}.invoices_guard_state()`);
      await q.query(`CREATE TABLE ${s}.invoice_history (
        id bigserial PRIMARY KEY,
        invoice_id uuid NOT NULL REFERENCES ${s}.invoices (id),
        from_state text,
        to_state text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor text NOT NULL,
        ksef_reference_number text,
        ksef_number text,
        http_status integer,
        error_code text,
        details jsonb
      )`);
      await q.query(`CREATE INDEX invoice_history_invoice ON ${s}.invoice_history (invoice_id, id)`);
      await q.query(`CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`);
      for (const table of ['invoice_history', 'invoice_documents']) {
        await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${s}.${table} FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
        await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${s}.${table} FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
      }
    }
    async down(q: QueryRunner): Promise<void> {
      for (const table of ['invoice_history', 'invoice_documents', 'invoice_state_transitions', 'invoices', 'api_keys', 'tenants']) await q.query(`DROP TABLE ${s}.${table}`);
      await q.query(`DROP FUNCTION ${s}.refuse_change()`);
      await q.query(`DROP FUNCTION ${s}.invoices_guard_state()`);
    }
  }
  return [InvoiceIntake1764100000000];
}
