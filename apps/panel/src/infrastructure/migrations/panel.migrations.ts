import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The panel's own tables: people who log in (scrypt hashes, one role, a tenant unless admin), server-side sessions
 * (only the SHA-256 of the cookie value is stored), login failures for rate limiting, acknowledged escalations, and
 * the append-only audit trail of every intervention (who, when, what, why, outcome).
 */
export function panelMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class Panel1764500000000 implements MigrationInterface {
    name = 'Panel1764500000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.users (
        username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,99}$'),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('accountant', 'operator', 'admin')),
        tenant_id text CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CHECK ((role = 'admin') OR tenant_id IS NOT NULL)
      )`);
      await q.query(`CREATE TABLE ${s}.sessions (
        id_sha256 bytea PRIMARY KEY CHECK (octet_length(id_sha256) = 32),
        username text NOT NULL REFERENCES ${s}.users (username),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
      await q.query(`CREATE INDEX sessions_expiry ON ${s}.sessions (expires_at)`);
      await q.query(`CREATE TABLE ${s}.login_failures (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
      await q.query(`CREATE INDEX login_failures_key ON ${s}.login_failures (key, at)`);
      await q.query(`CREATE TABLE ${s}.acknowledgements (
        invoice_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        username text NOT NULL,
        note text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
      await q.query(`CREATE TABLE ${s}.audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        username text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        invoice_id uuid,
        tenant_id text,
        reason text NOT NULL,
        outcome text NOT NULL,
        details jsonb
      )`);
      await q.query(`CREATE INDEX audit_log_invoice ON ${s}.audit_log (invoice_id, id)`);
      await q.query(`CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`);
      await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${s}.audit_log FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
      await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${s}.audit_log FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const table of ['audit_log', 'acknowledgements', 'login_failures', 'sessions', 'users']) await q.query(`DROP TABLE ${s}.${table}`);
      await q.query(`DROP FUNCTION ${s}.refuse_change()`);
    }
  }
  return [Panel1764500000000];
}
