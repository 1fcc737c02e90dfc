import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifier's tables:
 * - `notifications`: every public event, once per invoice outcome (`dedupe_key` unique), with its full envelope;
 * - `webhook_subscriptions`: per tenant URL + event types, the signing secret envelope-encrypted (libs/secrets);
 * - `webhook_deliveries`: one row per subscription × public event (unique), leased by the delivery scheduler. Composite
 *   foreign keys on (id, tenant_id) make a delivery of one tenant's event to another tenant's subscription impossible
 *   in the database itself, whatever the code does;
 * - `webhook_attempts`: append-only history of every POST (status, duration, error, response snippet).
 */
export function notifierMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class Notifier1764300000000 implements MigrationInterface {
    name = 'Notifier1764300000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.notifications (
        event_id uuid PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        source_event_id uuid NOT NULL,
        invoice_id uuid NOT NULL,
        tenant_id text NOT NULL,
        event_type text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (event_id, tenant_id)
      )`);
      await q.query(`CREATE INDEX notifications_invoice ON ${s}.notifications (invoice_id)`);
      await q.query(`CREATE TABLE ${s}.webhook_subscriptions (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        url text NOT NULL,
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        enabled boolean NOT NULL DEFAULT true,
        secret_ciphertext bytea NOT NULL,
        secret_iv bytea NOT NULL CHECK (octet_length(secret_iv) = 12),
        secret_tag bytea NOT NULL CHECK (octet_length(secret_tag) = 16),
        data_key_wrapped bytea NOT NULL CHECK (octet_length(data_key_wrapped) = 60),
        master_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (id, tenant_id)
      )`);
      await q.query(`CREATE INDEX webhook_subscriptions_tenant ON ${s}.webhook_subscriptions (tenant_id) WHERE enabled`);
      await q.query(`CREATE TABLE ${s}.webhook_deliveries (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL,
        event_id uuid NOT NULL,
        tenant_id text NOT NULL,
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERING', 'DELIVERED', 'DEAD')),
        attempts integer NOT NULL DEFAULT 0,
        round integer NOT NULL DEFAULT 1,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        lease_until timestamptz,
        claim_token uuid,
        last_http_status integer,
        last_error text,
        dead_reason text CHECK (dead_reason IN ('permanent-failure', 'attempts-exhausted')),
        delivered_at timestamptz,
        dead_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (subscription_id, event_id),
        FOREIGN KEY (subscription_id, tenant_id) REFERENCES ${s}.webhook_subscriptions (id, tenant_id),
        FOREIGN KEY (event_id, tenant_id) REFERENCES ${s}.notifications (event_id, tenant_id)
      )`);
      await q.query(`CREATE INDEX webhook_deliveries_due ON ${s}.webhook_deliveries (next_attempt_at) WHERE state IN ('PENDING', 'DELIVERING')`);
      await q.query(`CREATE INDEX webhook_deliveries_dead ON ${s}.webhook_deliveries (tenant_id) WHERE state = 'DEAD'`);
      await q.query(`CREATE TABLE ${s}.webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES ${s}.webhook_deliveries (id),
        round integer NOT NULL,
        attempt integer NOT NULL CHECK (attempt > 0),
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'retriable-failure', 'permanent-failure')),
        http_status integer,
        error text,
        response_snippet text,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
      await q.query(`CREATE INDEX webhook_attempts_delivery ON ${s}.webhook_attempts (delivery_id, id)`);
      await q.query(`CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`);
      await q.query(`CREATE TRIGGER webhook_attempts_append_only BEFORE UPDATE OR DELETE ON ${s}.webhook_attempts FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
      await q.query(`CREATE TRIGGER webhook_attempts_no_truncate BEFORE TRUNCATE ON ${s}.webhook_attempts FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_subscriptions', 'notifications']) await q.query(`DROP TABLE ${s}.${table}`);
      await q.query(`DROP FUNCTION ${s}.refuse_change()`);
    }
  }
  return [Notifier1764300000000];
}
