import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Snapshot of domain/poll-plan.ts POLL_TRANSITIONS as of this migration (migrations never change once shipped). */
export const POLL_TRANSITIONS_1764300000000: ReadonlyArray<readonly [string, string]> = [
  ['WAITING', 'UPO_WAITING'],
  ['WAITING', 'DONE'],
  ['WAITING', 'REJECTED'],
  ['WAITING', 'ESCALATED'],
  ['WAITING', 'UPO_LATE'],
  ['UPO_WAITING', 'DONE'],
  ['UPO_WAITING', 'UPO_LATE'],
  ['UPO_WAITING', 'ESCALATED'],
  ['UPO_LATE', 'DONE'],
  ['ESCALATED', 'WAITING'],
];

/**
 * The poll plan (one row per submitted invoice: its KSeF references, state guarded by a trigger, next poll, a lease
 * with a claim token so a poller whose lease ran out writes nothing) and the results of accepted invoices: KSeF number,
 * acquisition date and the UPO XML with its SHA-256 (append-mostly: the UPO columns are filled once, never changed).
 */
export function statusPollerMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class StatusPoller1764300000000 implements MigrationInterface {
    name = 'StatusPoller1764300000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.poll_plan (
        invoice_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        erp_document_id text NOT NULL,
        context_nip text NOT NULL CHECK (context_nip ~ '^[0-9]{10}$'),
        mode text NOT NULL CHECK (mode IN ('online', 'batch')),
        session_reference_number text NOT NULL,
        invoice_reference_number text,
        invoice_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE', 'DONE', 'REJECTED', 'ESCALATED')),
        polls integer NOT NULL DEFAULT 0 CHECK (polls >= 0),
        next_poll_at timestamptz NOT NULL,
        lease_until timestamptz,
        claim_token uuid,
        processing_emitted boolean NOT NULL DEFAULT false,
        last_status_code integer,
        last_error_code text,
        ksef_number text,
        acquisition_date timestamptz,
        duplicate boolean NOT NULL DEFAULT false,
        upo_session_reference_number text,
        accepted_at timestamptz,
        submitted_at timestamptz NOT NULL,
        traceparent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (mode = 'batch' OR invoice_reference_number IS NOT NULL),
        CHECK (state IN ('WAITING', 'REJECTED', 'ESCALATED') OR (ksef_number IS NOT NULL AND accepted_at IS NOT NULL))
      )`);
      await q.query(`CREATE INDEX poll_plan_due ON ${s}.poll_plan (next_poll_at) WHERE state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE')`);
      await q.query(`CREATE TABLE ${s}.poll_plan_transitions (from_state text NOT NULL, to_state text NOT NULL, PRIMARY KEY (from_state, to_state))`);
      await q.query(`INSERT INTO ${s}.poll_plan_transitions (from_state, to_state) SELECT * FROM unnest($1::text[], $2::text[])`, [
        POLL_TRANSITIONS_1764300000000.map((t) => t[0]),
        POLL_TRANSITIONS_1764300000000.map((t) => t[1]),
      ]);
      await q.query(`CREATE FUNCTION ${s}.poll_plan_guard_state() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.state <> 'WAITING' THEN
              RAISE EXCEPTION 'a poll plan starts as WAITING, not %', NEW.state USING ERRCODE = 'check_violation';
            END IF;
          ELSIF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
            SELECT 1 FROM ${s}.poll_plan_transitions t WHERE t.from_state = OLD.state AND t.to_state = NEW.state
          ) THEN
            RAISE EXCEPTION 'illegal poll plan transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$`);
      await q.query(`CREATE TRIGGER poll_plan_guard_state BEFORE INSERT OR UPDATE ON ${s}.poll_plan FOR EACH ROW EXECUTE FUNCTION ${s}.poll_plan_guard_state()`);
      await q.query(`CREATE TABLE ${s}.accepted_invoices (
        invoice_id uuid PRIMARY KEY REFERENCES ${s}.poll_plan (invoice_id),
        ksef_number text NOT NULL,
        acquisition_date timestamptz NOT NULL,
        duplicate boolean NOT NULL,
        session_reference_number text NOT NULL,
        invoice_reference_number text NOT NULL,
        upo_xml text,
        upo_sha256 text CHECK (upo_sha256 ~ '^[0-9a-f]{64}$'),
        upo_received_at timestamptz,
        accepted_at timestamptz NOT NULL,
        CHECK ((upo_xml IS NULL) = (upo_sha256 IS NULL) AND (upo_xml IS NULL) = (upo_received_at IS NULL))
      )`);
      await q.query(`CREATE INDEX accepted_invoices_ksef_number ON ${s}.accepted_invoices (ksef_number)`);
      await q.query(`CREATE INDEX accepted_invoices_missing_upo ON ${s}.accepted_invoices (accepted_at) WHERE upo_xml IS NULL`);
      // A stored UPO is evidence: it is never replaced or removed, and a result row is never deleted.
      await q.query(`CREATE FUNCTION ${s}.accepted_invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'accepted_invoices rows are kept: DELETE refused' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF OLD.upo_xml IS NOT NULL AND (NEW.upo_xml IS DISTINCT FROM OLD.upo_xml OR NEW.upo_sha256 IS DISTINCT FROM OLD.upo_sha256) THEN
            RAISE EXCEPTION 'a stored UPO is never replaced' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF NEW.ksef_number IS DISTINCT FROM OLD.ksef_number OR NEW.acquisition_date IS DISTINCT FROM OLD.acquisition_date THEN
            RAISE EXCEPTION 'a KSeF number and its acquisition date are never changed' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$`);
      await q.query(`CREATE TRIGGER accepted_invoices_guard BEFORE UPDATE OR DELETE ON ${s}.accepted_invoices FOR EACH ROW EXECUTE FUNCTION ${s}.accepted_invoices_guard()`);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const table of ['accepted_invoices', 'poll_plan_transitions', 'poll_plan']) await q.query(`DROP TABLE ${s}.${table}`);
      await q.query(`DROP FUNCTION ${s}.accepted_invoices_guard()`);
      await q.query(`DROP FUNCTION ${s}.poll_plan_guard_state()`);
    }
  }
  return [StatusPoller1764300000000];
}
