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
      await dropWithRetry(admin, name);
    },
  };
}

/**
 * Drops `name`, retrying for a few seconds when PostgreSQL cannot end a session in it: an autovacuum worker is not the
 * test role's process (scripts/stack/postgres.sh grants pg_signal_backend for that; a cluster set up otherwise may
 * lack it), and a session may still be closing.
 */
async function dropWithRetry(admin: TestDatabaseConfig, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42501: not allowed to terminate a session (autovacuum); 55006: the database is still in use.
      if ((code !== '42501' && code !== '55006') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
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
