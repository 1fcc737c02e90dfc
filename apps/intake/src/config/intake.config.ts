import { z } from 'zod';
import { envInt, envOptional, loadServiceConfig } from '@ksef-bridge/config';
import { intakeMigrations } from '../infrastructure/migrations/intake.migrations';

/**
 * Intake configuration, validated at boot. Common variables: see README "Configuration". Own variables:
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | INTAKE_MAX_DOCUMENT_BYTES | 3000000 | largest invoice XML taken in (KSeF: 1,000,000; 3,000,000 with attachments) |
 * | INTERNAL_API_TOKEN | unset | bearer token other services present on `/internal/*` (claim-check reads); unset: open, for local runs only |
 * | INTAKE_CONFIRMATION_DEADLINE_SECONDS | 86400 | a non-final invoice without a KSeF number this long after intake counts in `ksef_invoices_unconfirmed_past_deadline` |
 * | SENDER_URL | http://127.0.0.1:3003 | the sender, which signs KOD II of offline invoices (`/qr/kod-ii`); intake presents INTERNAL_API_TOKEN to it |
 * | INTAKE_SENDER_TIMEOUT_MS | 5000 | how long intake waits for the sender's KOD II signature |
 */
export const config = loadServiceConfig('intake', 3001, {
  INTAKE_MAX_DOCUMENT_BYTES: envInt(3_000_000, 1_000, 10_000_000),
  INTERNAL_API_TOKEN: envOptional(z.string().min(16)),
  INTAKE_CONFIRMATION_DEADLINE_SECONDS: envInt(86_400, 60, 30 * 86_400),
  SENDER_URL: z.string().url().default('http://127.0.0.1:3003'),
  INTAKE_SENDER_TIMEOUT_MS: envInt(5_000, 100, 60_000),
});

export type IntakeConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'intake';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: intakeMigrations(DB_SCHEMA) };
