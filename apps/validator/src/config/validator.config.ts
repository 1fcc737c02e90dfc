import { z } from 'zod';
import { envInt, envOptional, loadServiceConfig } from '@ksef-bridge/config';

/**
 * Validator configuration, validated at boot. Common variables: see README "Configuration". Own variables:
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | INTAKE_URL | http://127.0.0.1:3001 | intake's base URL, for claim-check reads of invoice XML |
 * | INTERNAL_API_TOKEN | unset | bearer token for intake's `/internal/*` routes (must match intake's) |
 * | CLAIM_CHECK_TIMEOUT_MS | 10000 | timeout of one document read |
 */
export const config = loadServiceConfig('validator', 3002, {
  INTAKE_URL: z.string().url().default('http://127.0.0.1:3001'),
  INTERNAL_API_TOKEN: envOptional(z.string().min(16)),
  CLAIM_CHECK_TIMEOUT_MS: envInt(10_000, 100, 120_000),
});

export type ValidatorConfig = typeof config;

/** PostgreSQL schema this service owns (its outbox and inbox). */
const DB_SCHEMA = 'validator';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
