import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, pingDatabase, runMigrations, withTransaction } from './data-source';

const db = {
  host: process.env['PGHOST'] ?? '127.0.0.1',
  port: Number(process.env['PGPORT'] ?? 5432),
  user: process.env['PGUSER'] ?? 'ksef',
  password: process.env['PGPASSWORD'] ?? 'ksef',
  database: process.env['PGDATABASE'] ?? 'ksef_bridge',
  poolSize: 4,
};

describe('persistence against the real PostgreSQL', () => {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  class CreateThing1700000000000 implements MigrationInterface {
    name = 'CreateThing1700000000000';
    async up(q: QueryRunner) {
      await q.query(`CREATE TABLE "${schema}".thing (id text PRIMARY KEY, n int NOT NULL CHECK (n >= 0))`);
    }
    async down(q: QueryRunner) {
      await q.query(`DROP TABLE "${schema}".thing`);
    }
  }
  const make = () => createDataSource({ db, schema, migrations: [CreateThing1700000000000], applicationName: 'persistence-int' });
  const a = make();
  const b = make();

  beforeAll(async () => {
    await Promise.all([a.initialize(), b.initialize()]);
  });
  afterAll(async () => {
    await a.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('runs migrations once even when two replicas start together', async () => {
    const [ranA, ranB] = await Promise.all([runMigrations(a, schema), runMigrations(b, schema)]);
    expect([...ranA, ...ranB]).toEqual(['CreateThing1700000000000']);
    expect(await runMigrations(a, schema)).toEqual([]);
  });

  it('commits or rolls back as one transaction and maps errors to the taxonomy', async () => {
    await withTransaction(a, (m) => m.query(`INSERT INTO "${schema}".thing VALUES ('x', 1)`));
    await expect(
      withTransaction(a, async (m) => {
        await m.query(`INSERT INTO "${schema}".thing VALUES ('y', 1)`);
        await m.query(`INSERT INTO "${schema}".thing VALUES ('x', 2)`);
      }),
    ).rejects.toMatchObject({ code: 'DB_UNIQUE_VIOLATION', retriable: false });
    expect(await a.query(`SELECT id FROM "${schema}".thing ORDER BY id`)).toEqual([{ id: 'x' }]);
    await expect(withTransaction(a, (m) => m.query(`INSERT INTO "${schema}".thing VALUES ('z', -1)`))).rejects.toMatchObject({ code: 'DB_CONSTRAINT_VIOLATION' });
  });

  it('answers health pings', async () => {
    await expect(pingDatabase(a)).resolves.toBeUndefined();
  });
});
