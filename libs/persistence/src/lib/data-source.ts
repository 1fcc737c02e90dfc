import { DataSource, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '@ksef-bridge/config';
import { DependencyUnavailableError, PermanentError, TransientError } from '@ksef-bridge/errors';

export interface DataSourceOptions {
  db: DatabaseConfig;
  /** The PostgreSQL schema this service owns (created by runMigrations if missing). */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  applicationName: string;
  /** Statement timeout, default 30 s. */
  statementTimeoutMs?: number;
}

/** A TypeORM data source on PostgreSQL. `synchronize` is always off: the schema changes only through migrations. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    host: options.db.host,
    port: options.db.port,
    username: options.db.user,
    password: options.db.password,
    database: options.db.database,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName,
    extra: { max: options.db.poolSize, statement_timeout: options.statementTimeoutMs ?? 30_000, connectionTimeoutMillis: 5_000 },
  });
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock keyed by schema, so replicas starting together don't race.
 * Creates the schema first. Returns the names of the migrations that ran.
 */
export async function runMigrations(dataSource: DataSource, schema: string): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new PermanentError('DB_SCHEMA_INVALID', `invalid schema name '${schema}'`);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/** SQLSTATE classes that a retry can fix: connection loss, serialization failure, deadlock, admin shutdown. */
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|57P0[1-3]|53300)/;

/** Maps a pg/TypeORM error into our taxonomy. */
export function mapDatabaseError(error: unknown): TransientError | PermanentError {
  const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '40001' || code === '40P01') return new TransientError('DB_SERIALIZATION_FAILURE', message, { cause: error, details: { sqlState: code } });
  if ((code && TRANSIENT_SQLSTATE.test(code)) || /ECONNREFUSED|ECONNRESET|terminat|timeout|Connection/i.test(message)) {
    return new DependencyUnavailableError('DB_UNAVAILABLE', message, { cause: error, details: { sqlState: code } });
  }
  if (code === '23505') return new PermanentError('DB_UNIQUE_VIOLATION', message, { cause: error, details: { sqlState: code } });
  if (code?.startsWith('23')) return new PermanentError('DB_CONSTRAINT_VIOLATION', message, { cause: error, details: { sqlState: code } });
  return new PermanentError('DB_ERROR', message, { cause: error, details: { sqlState: code } });
}

/** Runs `fn` in one transaction; errors are mapped into the taxonomy (retriable ones can be retried by the caller). */
export async function withTransaction<T>(dataSource: DataSource, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await dataSource.transaction(fn);
  } catch (error) {
    if (error instanceof TransientError || error instanceof PermanentError) throw error;
    throw mapDatabaseError(error);
  }
}

/** Readiness probe: resolves when `select 1` answers within `timeoutMs`. */
export async function pingDatabase(dataSource: DataSource, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dataSource.query('SELECT 1'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
