import { z } from 'zod';
import { envInt, envList, envOptional, loadServiceConfig, type Env } from '@ksef-bridge/config';
import { ConfigError } from '@ksef-bridge/errors';
import { availabilitySubscriptionMigrations } from '../availability/availability-subscriptions.migration';
import { notifierMigrations } from '../infrastructure/migrations/1764300000000-notifier.migration';
import { webhookSecretGraceMigrations } from '../infrastructure/migrations/1764300000001-webhook-secret-grace.migration';

/**
 * A master key for local runs and tests ONLY (it is public, in this repository). The notifier refuses to start with
 * it when NODE_ENV=production. Generate a real one with `openssl rand -base64 32`.
 */
export const DEV_MASTER_KEY = 'ZGV2LW9ubHkga3NlZi1icmlkZ2Ugbm90aWZpZXIga2U=';

/**
 * Notifier configuration, validated at boot. Common variables: see README "Configuration". Own variables (docs/notifier.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | NODE_ENV | development | `production` refuses the dev master key and `http://` webhook URLs |
 * | NOTIFIER_MASTER_KEY | dev key (refused in production) | base64 32 bytes wrapping the data keys of stored webhook secrets |
 * | NOTIFIER_PREVIOUS_MASTER_KEYS | empty | comma-separated older master keys, only unwrap (rotation) |
 * | NOTIFIER_WEBHOOK_TIMEOUT_MS | 10000 | whole-request timeout of one webhook POST |
 * | NOTIFIER_WEBHOOK_MAX_ATTEMPTS | 16 | attempts before a delivery is DEAD |
 * | NOTIFIER_WEBHOOK_RETRY_BASE_MS | 10000 | delay before attempt 2; doubles per attempt |
 * | NOTIFIER_WEBHOOK_RETRY_MAX_MS | 3600000 | cap of one delay (and of an honoured Retry-After) |
 * | NOTIFIER_WEBHOOK_RETRY_JITTER | 0.2 | ± fraction of each delay randomised |
 * | NOTIFIER_WEBHOOK_UPO_INLINE_MAX_BYTES | 65536 | UPO XML up to this size travels inline in webhooks (always on Kafka) |
 * | NOTIFIER_UPO_LINK_BASE_URL | unset | intake's public base URL; webhooks then carry `upo.href` (`…/v1/invoices/{id}/upo`) |
 * | NOTIFIER_POLL_INTERVAL_MS | 500 | how often the delivery scheduler looks for due deliveries |
 * | NOTIFIER_BATCH_SIZE | 20 | deliveries one instance claims (and sends in parallel) per round |
 * | NOTIFIER_LEASE_MS | 60000 | lease of a claimed delivery; must exceed 2 × NOTIFIER_WEBHOOK_TIMEOUT_MS |
 */
export function loadNotifierConfig(env: Env = process.env) {
  const loaded = loadServiceConfig(
    'notifier',
    3005,
    {
      NODE_ENV: z.string().default('development'),
      NOTIFIER_MASTER_KEY: envOptional(z.string()),
      NOTIFIER_PREVIOUS_MASTER_KEYS: envList([]),
      NOTIFIER_WEBHOOK_TIMEOUT_MS: envInt(10_000, 100, 120_000),
      NOTIFIER_WEBHOOK_MAX_ATTEMPTS: envInt(16, 1, 100),
      NOTIFIER_WEBHOOK_RETRY_BASE_MS: envInt(10_000, 0, 3_600_000),
      NOTIFIER_WEBHOOK_RETRY_MAX_MS: envInt(3_600_000, 0, 86_400_000),
      NOTIFIER_WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
      NOTIFIER_WEBHOOK_UPO_INLINE_MAX_BYTES: envInt(65_536, 0, 10_000_000),
      NOTIFIER_UPO_LINK_BASE_URL: envOptional(z.string().url()),
      NOTIFIER_POLL_INTERVAL_MS: envInt(500, 10, 60_000),
      NOTIFIER_BATCH_SIZE: envInt(20, 1, 500),
      NOTIFIER_LEASE_MS: envInt(60_000, 1_000, 3_600_000),
    },
    env,
  );
  const problems: string[] = [];
  const production = loaded.NODE_ENV === 'production';
  if (production && (loaded.NOTIFIER_MASTER_KEY === undefined || loaded.NOTIFIER_MASTER_KEY === DEV_MASTER_KEY)) {
    problems.push('NOTIFIER_MASTER_KEY: required in production (the development default is public); generate one with `openssl rand -base64 32`');
  }
  if (loaded.NOTIFIER_LEASE_MS <= 2 * loaded.NOTIFIER_WEBHOOK_TIMEOUT_MS) {
    problems.push('NOTIFIER_LEASE_MS: must exceed 2 × NOTIFIER_WEBHOOK_TIMEOUT_MS (a delivery must not be taken over while its POST may still be running)');
  }
  if (loaded.NOTIFIER_WEBHOOK_RETRY_MAX_MS < loaded.NOTIFIER_WEBHOOK_RETRY_BASE_MS) problems.push('NOTIFIER_WEBHOOK_RETRY_MAX_MS: must not be below NOTIFIER_WEBHOOK_RETRY_BASE_MS');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const usesDevMasterKey = loaded.NOTIFIER_MASTER_KEY === undefined || loaded.NOTIFIER_MASTER_KEY === DEV_MASTER_KEY;
  return { ...loaded, NOTIFIER_MASTER_KEY: loaded.NOTIFIER_MASTER_KEY ?? DEV_MASTER_KEY, usesDevMasterKey, production };
}

export const config = loadNotifierConfig();

export type NotifierConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'notifier';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [...notifierMigrations(DB_SCHEMA), ...webhookSecretGraceMigrations(DB_SCHEMA), ...availabilitySubscriptionMigrations(DB_SCHEMA)] };
