import type { DatabaseConfig } from '@ksef-bridge/config';

// Where the shared test infrastructure (started by scripts/stack/infra.sh) listens. Tests read it from here only.
// Defaults match the local stack: Kafka 127.0.0.1:9092, PostgreSQL 127.0.0.1:5432 as ksef/ksef.

/** Same shape as the services' database settings, so a test database plugs straight into createDataSource. */
export type TestDatabaseConfig = DatabaseConfig;

export function testKafkaBrokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((s) => s.trim()).filter(Boolean);
}

export function testDatabaseConfig(database = process.env['PGDATABASE'] ?? 'ksef_bridge'): TestDatabaseConfig {
  return {
    host: process.env['PGHOST'] ?? '127.0.0.1',
    port: Number(process.env['PGPORT'] ?? 5432),
    user: process.env['PGUSER'] ?? 'ksef',
    password: process.env['PGPASSWORD'] ?? 'ksef',
    database,
    poolSize: 4,
  };
}
