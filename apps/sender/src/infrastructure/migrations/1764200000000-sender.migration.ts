import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Snapshot of domain/send-job.ts SEND_JOB_TRANSITIONS as of this migration (migrations never change once shipped). */
export const SEND_JOB_TRANSITIONS_1764200000000: ReadonlyArray<readonly [string, string]> = [
  ['QUEUED', 'SENDING'],
  ['SENDING', 'QUEUED'],
  ['SENDING', 'SENT'],
  ['SENDING', 'REJECTED'],
  ['SENDING', 'ESCALATED'],
  ['ESCALATED', 'QUEUED'],
];

const OUTCOMES = ['submitted', 'reconciled', 'not-found', 'rejected', 'ambiguous', 'transport', 'rate-limited', 'auth', 'error'];

/**
 * KSeF contexts with their credentials (envelope-encrypted, see contexts/token-cipher.ts) and a lease naming the
 * sender instance that owns the context; send jobs (one per invoice) with a state guarded by a trigger; and the
 * append-only record of every attempt (time, KSeF reference numbers, HTTP status, the full error body).
 */
export function senderMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class Sender1764200000000 implements MigrationInterface {
    name = 'Sender1764200000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.ksef_contexts (
        nip text PRIMARY KEY CHECK (nip ~ '^[0-9]{10}$'),
        tenant_id text NOT NULL,
        token_ciphertext bytea NOT NULL,
        token_iv bytea NOT NULL CHECK (octet_length(token_iv) = 12),
        token_tag bytea NOT NULL CHECK (octet_length(token_tag) = 16),
        data_key_wrapped bytea NOT NULL CHECK (octet_length(data_key_wrapped) = 60),
        master_key_id text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
      await q.query(`CREATE TABLE ${s}.send_jobs (
        invoice_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        erp_document_id text NOT NULL,
        context_nip text NOT NULL CHECK (context_nip ~ '^[0-9]{10}$'),
        form text NOT NULL,
        document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
        document_size integer NOT NULL CHECK (document_size > 0),
        state text NOT NULL CHECK (state IN ('QUEUED', 'SENDING', 'SENT', 'REJECTED', 'ESCALATED')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        invoice_hash text,
        inflight_session_ref text,
        needs_reconcile boolean NOT NULL DEFAULT false,
        session_reference_number text,
        invoice_reference_number text,
        last_error_code text,
        traceparent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
      await q.query(`CREATE INDEX send_jobs_due ON ${s}.send_jobs (context_nip, next_attempt_at) WHERE state IN ('QUEUED', 'SENDING')`);
      await q.query(`CREATE TABLE ${s}.send_job_transitions (from_state text NOT NULL, to_state text NOT NULL, PRIMARY KEY (from_state, to_state))`);
      await q.query(`INSERT INTO ${s}.send_job_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, [
        SEND_JOB_TRANSITIONS_1764200000000.map((t) => t[0]),
        SEND_JOB_TRANSITIONS_1764200000000.map((t) => t[1]),
      ]);
      await q.query(`CREATE FUNCTION ${s}.send_jobs_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.state <> 'QUEUED' THEN
              RAISE EXCEPTION 'a send job starts as QUEUED, not %', NEW.state USING ERRCODE = 'check_violation';
            END IF;
          ELSIF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
            SELECT 1 FROM ${s}.send_job_transitions t WHERE t.from_state = OLD.state AND t.to_state = NEW.state
          ) THEN
            RAISE EXCEPTION 'illegal send job transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$`);
      await q.query(`CREATE TRIGGER send_jobs_guard_state BEFORE INSERT OR UPDATE ON ${s}.send_jobs FOR EACH ROW EXECUTE FUNCTION ${s}.send_jobs_guard_state()`);
      await q.query(`CREATE TABLE ${s}.send_attempts (
        id bigserial PRIMARY KEY,
        invoice_id uuid NOT NULL REFERENCES ${s}.send_jobs (invoice_id),
        attempt integer NOT NULL CHECK (attempt > 0),
        counted boolean NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        outcome text NOT NULL CHECK (outcome IN (${OUTCOMES.map((o) => `'${o}'`).join(', ')})),
        session_reference_number text,
        invoice_reference_number text,
        invoice_hash text,
        http_status integer,
        error_code text,
        error_message text,
        exception_codes integer[],
        reference_numbers jsonb,
        error_body jsonb
      )`);
      await q.query(`CREATE INDEX send_attempts_invoice ON ${s}.send_attempts (invoice_id, id)`);
      await q.query(`CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`);
      await q.query(`CREATE TRIGGER send_attempts_append_only BEFORE UPDATE OR DELETE ON ${s}.send_attempts FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
      await q.query(`CREATE TRIGGER send_attempts_no_truncate BEFORE TRUNCATE ON ${s}.send_attempts FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const table of ['send_attempts', 'send_job_transitions', 'send_jobs', 'ksef_contexts']) await q.query(`DROP TABLE ${s}.${table}`);
      await q.query(`DROP FUNCTION ${s}.refuse_change()`);
      await q.query(`DROP FUNCTION ${s}.send_jobs_guard_state()`);
    }
  }
  return [Sender1764200000000];
}
