/**
 * Where the shared test infrastructure (started by scripts/stack/infra.sh) listens. Tests read it from here only.
 * Defaults match the local stack: Kafka 127.0.0.1:9092, PostgreSQL 127.0.0.1:5432 as ksef/ksef.
 */
export interface TestDatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize: number;
}

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
