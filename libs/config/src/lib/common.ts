import { z } from 'zod';
import { envBoolean, envInt, envList, envOptional, Env, loadConfig } from './load-config';

/**
 * Settings every service shares. Defaults match the local stack (scripts/stack) and docker-compose.yml.
 *
 * | variable | default |
 * |---|---|
 * | KAFKA_BROKERS | 127.0.0.1:9092 |
 * | KAFKA_CLIENT_ID | the service name |
 * | PGHOST / PGPORT / PGUSER / PGPASSWORD / PGDATABASE | 127.0.0.1 / 5432 / ksef / ksef / ksef_bridge |
 * | DB_POOL_SIZE | 10 |
 * | OTEL_EXPORTER_OTLP_ENDPOINT | unset: no export, no error |
 * | OTEL_ENABLED | true |
 * | LOG_LEVEL | info |
 * | SHUTDOWN_TIMEOUT_MS | 15000 |
 */
export const commonConfigShape = {
  KAFKA_BROKERS: envList(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().optional(),
  PGHOST: z.string().default('127.0.0.1'),
  PGPORT: envInt(5432, 1, 65535),
  PGUSER: z.string().default('ksef'),
  PGPASSWORD: z.string().default('ksef'),
  PGDATABASE: z.string().default('ksef_bridge'),
  DB_POOL_SIZE: envInt(10, 1, 200),
  OTEL_EXPORTER_OTLP_ENDPOINT: envOptional(z.string().url()),
  OTEL_ENABLED: envBoolean(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: envInt(15_000, 1_000, 120_000),
} as const;

export const commonConfigSchema = z.object(commonConfigShape);
export type CommonConfig = z.infer<typeof commonConfigSchema>;

/** PostgreSQL connection settings in the shape `pg` and TypeORM accept. */
export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize: number;
}

export function databaseConfig(c: CommonConfig): DatabaseConfig {
  return { host: c.PGHOST, port: c.PGPORT, user: c.PGUSER, password: c.PGPASSWORD, database: c.PGDATABASE, poolSize: c.DB_POOL_SIZE };
}

/** Config for a service: common settings plus the app's own `shape`, with its HTTP port default. */
export function loadServiceConfig<T extends z.ZodRawShape>(
  serviceName: string,
  defaultPort: number,
  shape: T,
  env: Env = process.env,
) {
  const schema = z.object({ ...commonConfigShape, HTTP_PORT: envInt(defaultPort, 1, 65535), HTTP_HOST: z.string().default('0.0.0.0'), ...shape });
  const parsed = loadConfig(schema, env) as z.infer<typeof schema> & CommonConfig;
  return { ...parsed, SERVICE_NAME: serviceName, KAFKA_CLIENT_ID: parsed.KAFKA_CLIENT_ID ?? serviceName };
}
