import { Client } from 'pg';
import { uniqueSuffix } from './names';
import { testDatabaseConfig, type TestDatabaseConfig } from './infra-env';

export interface TestDatabase {
  /** Connection settings of the fresh database (same shape as @ksef-bridge/config's DatabaseConfig). */
  config: TestDatabaseConfig;
  /** Drops the database (terminating its connections). Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty PostgreSQL database on the shared test server, so a test owns its state completely.
 * The role needs CREATEDB (scripts/stack/postgres.sh grants it).
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const admin = testDatabaseConfig();
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${uniqueSuffix(12)}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped = false;
  return {
    config: { ...admin, database: name },
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(config: TestDatabaseConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
