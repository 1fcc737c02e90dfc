import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { DatabaseConfig } from '@ksef-bridge/config';
import { createDataSource, runMigrations } from '@ksef-bridge/persistence';
import { outboxMigrations } from '../lib/outbox.migrations';

/**
 * A service-like schema for tests: outbox + inbox + an `applied` table where each effect inserts one row, so a
 * duplicate effect shows up as a second row (the table deliberately has no unique key).
 */
export async function outboxTestDataSource(db: DatabaseConfig, schema = 'svc'): Promise<DataSource> {
  class CreateApplied1732521600001 implements MigrationInterface {
    name = 'CreateApplied1732521600001';
    async up(q: QueryRunner) {
      await q.query(`CREATE TABLE "${schema}".applied (message_id uuid NOT NULL, aggregate_id text NOT NULL, n integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    }
    async down(q: QueryRunner) {
      await q.query(`DROP TABLE "${schema}".applied`);
    }
  }
  const ds = createDataSource({ db, schema, migrations: [...outboxMigrations(schema), CreateApplied1732521600001], applicationName: 'outbox-test' });
  await ds.initialize();
  await runMigrations(ds, schema);
  return ds;
}

/** How many times each message id was applied. */
export async function appliedCounts(ds: DataSource, schema = 'svc'): Promise<Map<string, number>> {
  const rows: Array<{ message_id: string; c: number }> = await ds.query(`SELECT message_id, count(*)::int AS c FROM "${schema}".applied GROUP BY message_id`);
  return new Map(rows.map((r) => [r.message_id, r.c]));
}
