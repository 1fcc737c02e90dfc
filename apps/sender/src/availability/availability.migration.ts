import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ksef_availability`: the history of KSeF availability per endpoint, one row per state with its start, end and
 * cause. The open row (`ended_at IS NULL`, at most one per endpoint) is the current state. Append-only apart from
 * closing the open row once: a trigger refuses DELETE, TRUNCATE and any other UPDATE.
 */
export function ksefAvailabilityMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class KsefAvailability1764200000100 implements MigrationInterface {
    name = 'KsefAvailability1764200000100';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.ksef_availability (
        id uuid PRIMARY KEY,
        endpoint text NOT NULL,
        state text NOT NULL CHECK (state IN ('AVAILABLE', 'DEGRADED', 'UNAVAILABLE')),
        previous_state text CHECK (previous_state IN ('AVAILABLE', 'DEGRADED', 'UNAVAILABLE')),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        cause text NOT NULL,
        detail text NOT NULL DEFAULT '',
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (ended_at IS NULL OR ended_at >= started_at)
      )`);
      await q.query(`CREATE UNIQUE INDEX ksef_availability_current ON ${s}.ksef_availability (endpoint) WHERE ended_at IS NULL`);
      await q.query(`CREATE INDEX ksef_availability_history ON ${s}.ksef_availability (endpoint, started_at DESC)`);
      await q.query(`CREATE FUNCTION ${s}.ksef_availability_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL
             AND (to_jsonb(NEW) - 'ended_at') = (to_jsonb(OLD) - 'ended_at') THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'ksef_availability is append-only (only closing the open row is allowed): % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`);
      await q.query(`CREATE TRIGGER ksef_availability_append_only BEFORE UPDATE OR DELETE ON ${s}.ksef_availability FOR EACH ROW EXECUTE FUNCTION ${s}.ksef_availability_guard()`);
      await q.query(`CREATE TRIGGER ksef_availability_no_truncate BEFORE TRUNCATE ON ${s}.ksef_availability FOR EACH STATEMENT EXECUTE FUNCTION ${s}.ksef_availability_guard()`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.ksef_availability`);
      await q.query(`DROP FUNCTION ${s}.ksef_availability_guard()`);
    }
  }
  /** What KSeF announced (Latarnia) during each period: nullable, so rows from before the feed was read stay valid. */
  class KsefAvailabilityAnnounced1764200000101 implements MigrationInterface {
    name = 'KsefAvailabilityAnnounced1764200000101';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.ksef_availability
        ADD COLUMN announced_status text CHECK (announced_status IN ('AVAILABLE', 'MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE', 'UNKNOWN')),
        ADD COLUMN announcement jsonb`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.ksef_availability DROP COLUMN announcement, DROP COLUMN announced_status`);
    }
  }
  return [KsefAvailability1764200000100, KsefAvailabilityAnnounced1764200000101];
}
