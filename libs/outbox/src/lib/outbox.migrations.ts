import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema } from './sql-names';

/**
 * The outbox and inbox tables of one service schema, as TypeORM migrations (list them in the service's data source;
 * never `synchronize`).
 *
 * outbox: one row per event, written in the business transaction. `locked_until` is both the relay's lease and the
 * backoff after a failed publish; `parked_at` marks a poison row a person must look at (it holds back later events of
 * the same aggregate, so their order is never broken). Partial indexes keep the pending scan small.
 *
 * inbox: one row per (consumer, message id) applied, written in the same transaction as the effect.
 */
export function outboxMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = quoteSchema(schema);
  class CreateOutboxAndInbox1732521600000 implements MigrationInterface {
    name = 'CreateOutboxAndInbox1732521600000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.outbox (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        aggregate_id text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        parked_at timestamptz,
        last_error_code text,
        last_error text
      )`);
      await q.query(`CREATE INDEX outbox_pending ON ${s}.outbox (seq) WHERE sent_at IS NULL`);
      await q.query(`CREATE INDEX outbox_pending_aggregate ON ${s}.outbox (aggregate_id, seq) WHERE sent_at IS NULL`);
      await q.query(`CREATE INDEX outbox_sent ON ${s}.outbox (sent_at) WHERE sent_at IS NOT NULL`);
      await q.query(`CREATE TABLE ${s}.inbox (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        topic text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
      await q.query(`CREATE INDEX inbox_processed_at ON ${s}.inbox (processed_at)`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.inbox`);
      await q.query(`DROP TABLE ${s}.outbox`);
    }
  }
  return [CreateOutboxAndInbox1732521600000];
}
