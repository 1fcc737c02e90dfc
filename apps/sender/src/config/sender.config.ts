import { z } from 'zod';
import { envInt, envList, envOptional, loadServiceConfig, type Env } from '@ksef-bridge/config';
import { ConfigError } from '@ksef-bridge/errors';
import { senderMigrations } from '../infrastructure/migrations/1764200000000-sender.migration';
import { sendJobClaimTokenMigrations } from '../infrastructure/migrations/1764200000001-send-job-claim-token.migration';
import { ksefAvailabilityMigrations } from '../availability/availability.migration';
import { sendJobOfflineMigrations } from '../infrastructure/migrations/1764200000002-send-job-offline.migration';
import { offlineCertificateMigrations } from '../infrastructure/migrations/1764200000200-offline-certificates.migration';
import { DEFAULT_WARN_BEFORE_MS } from '@ksef-bridge/offline-mode';

/**
 * A master key for local runs and tests ONLY (it is public, in this repository). The sender refuses to start with it
 * when NODE_ENV=production. Generate a real one with `openssl rand -base64 32`.
 */
export const DEV_MASTER_KEY = 'ZGV2LW9ubHkga3NlZi1icmlkZ2Ugc2VuZGVyIGtleSE=';

const delays = envList(['30000', '120000'])
  .transform((list) => list.map(Number))
  .pipe(z.array(z.number().int().min(0).max(86_400_000)).min(1));

/**
 * Sender configuration, validated at boot. Common variables: see README "Configuration". Own variables (docs/sender.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | KSEF_BASE_URL | http://127.0.0.1:3100/v2 | KSeF API base (the simulator locally; `https://api-test.ksef.mf.gov.pl/v2` for TE) |
 * | KSEF_RATE_LIMITS | production | limiter table: `production`, `te` (10x) or `off` |
 * | KSEF_TIMEOUT_MS | 30000 | whole-call timeout of one KSeF request |
 * | INTAKE_URL | http://127.0.0.1:3001 | intake's base URL, for claim-check reads of invoice XML |
 * | INTERNAL_API_TOKEN | unset | bearer token for intake's `/internal/*` (must match intake's) and for the sender's own `/internal/*` (closed in production when unset) |
 * | CLAIM_CHECK_TIMEOUT_MS | 10000 | timeout of one document read |
 * | SENDER_MASTER_KEY | dev key (refused in production) | base64 32 bytes wrapping the data keys of stored KSeF tokens |
 * | SENDER_PREVIOUS_MASTER_KEYS | empty | comma-separated older master keys, only unwrap (rotation) |
 * | SENDER_MAX_ATTEMPTS | 8 | counted attempts before ESCALATED (429s are not counted) |
 * | SENDER_RETRY_DELAYS_MS | 30000,120000 | delays before attempt 2, 3, …; then ×SENDER_RETRY_MULTIPLIER |
 * | SENDER_RETRY_MULTIPLIER | 4 | growth past the listed delays |
 * | SENDER_RETRY_MAX_DELAY_MS | 3600000 | cap of one delay |
 * | SENDER_RETRY_JITTER | 0.2 | ± fraction of each delay randomised |
 * | SENDER_POLL_INTERVAL_MS | 500 | how often the scheduler looks for due jobs |
 * | SENDER_BATCH_SIZE | 20 | jobs one context claims per round |
 * | SENDER_LEASE_MS | 60000 | lease of a claimed context and of its jobs (another instance takes over after it) |
 * | SENDER_SESSION_MAX_INVOICES | 10000 | invoices per interactive session before a new one is opened |
 * | SENDER_SESSION_IDLE_CLOSE_MS | 600000 | a session without sends this long is closed (KSeF then issues its session UPO) |
 * | SENDER_BREAKER_FAILURES / SENDER_BREAKER_OPEN_MS | 5 / 30000 | consecutive KSeF failures that open the circuit, and for how long |
 * | SENDER_BATCH_BACKLOG_THRESHOLD | 100 | due invoices of a context at which it goes out in batch sessions (0: never by count) |
 * | SENDER_BATCH_QUEUE_AGE_MS | 900000 | age of a context's oldest due invoice (or interactive sending time by the rate limits) at which it switches (0: never) |
 * | SENDER_BATCH_MAX_INVOICES | 1000 | invoices per batch package (KSeF: 10,000 per session) |
 * | SENDER_BATCH_MAX_BYTES | 50000000 | sum of invoice sizes per package (held in memory; KSeF: 50 parts of 100 MB) |
 * | SENDER_AVAILABILITY_PROBE_INTERVAL_MS / _PROBE_TIMEOUT_MS | 15000 / 5000 | KSeF health probe (GET /security/public-key-certificates); interval 0: no probe |
 * | SENDER_AVAILABILITY_DEGRADED_AFTER_MS / _CONFIRM_MS / _RECOVER_MS | 10000 / 60000 / 15000 | failing this long → DEGRADED / UNAVAILABLE; answering this long → AVAILABLE |
 * | KSEF_LATARNIA_URL | by KSEF_BASE_URL: TE/DEMO `https://api-latarnia-test.ksef.mf.gov.pl`, PRD `https://api-latarnia.ksef.mf.gov.pl`, else `{origin}/latarnia` (the simulator) | KSeF's announced-failure feed, read each probe round; `off`: not read |
 * | SENDER_OFFLINE_WARN_BEFORE_MS | 14400000 | an unsent offline invoice this close to its legal deadline counts as due-soon (ksef_sender_offline_invoices) |
 */
export function loadSenderConfig(env: Env = process.env) {
  const loaded = loadServiceConfig(
    'sender',
    3003,
    {
      NODE_ENV: z.string().default('development'),
      KSEF_BASE_URL: z.string().url().default('http://127.0.0.1:3100/v2'),
      KSEF_RATE_LIMITS: z.enum(['production', 'te', 'off']).default('production'),
      KSEF_TIMEOUT_MS: envInt(30_000, 1_000, 300_000),
      INTAKE_URL: z.string().url().default('http://127.0.0.1:3001'),
      INTERNAL_API_TOKEN: envOptional(z.string().min(16)),
      CLAIM_CHECK_TIMEOUT_MS: envInt(10_000, 100, 120_000),
      SENDER_MASTER_KEY: envOptional(z.string()),
      SENDER_PREVIOUS_MASTER_KEYS: envList([]),
      SENDER_MAX_ATTEMPTS: envInt(8, 1, 100),
      SENDER_RETRY_DELAYS_MS: delays,
      SENDER_RETRY_MULTIPLIER: z.coerce.number().min(1).max(100).default(4),
      SENDER_RETRY_MAX_DELAY_MS: envInt(3_600_000, 0, 86_400_000),
      SENDER_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
      SENDER_POLL_INTERVAL_MS: envInt(500, 10, 60_000),
      SENDER_BATCH_SIZE: envInt(20, 1, 1_000),
      SENDER_LEASE_MS: envInt(60_000, 1_000, 3_600_000),
      SENDER_SESSION_MAX_INVOICES: envInt(10_000, 1, 100_000),
      SENDER_SESSION_IDLE_CLOSE_MS: envInt(600_000, 1_000, 43_200_000),
      SENDER_BREAKER_FAILURES: envInt(5, 1, 1_000),
      SENDER_BREAKER_OPEN_MS: envInt(30_000, 100, 3_600_000),
      SENDER_BATCH_BACKLOG_THRESHOLD: envInt(100, 0, 1_000_000),
      SENDER_BATCH_QUEUE_AGE_MS: envInt(900_000, 0, 86_400_000),
      SENDER_BATCH_MAX_INVOICES: envInt(1_000, 2, 10_000),
      SENDER_BATCH_MAX_BYTES: envInt(50_000_000, 1_000_000, 1_000_000_000),
      SENDER_AVAILABILITY_PROBE_INTERVAL_MS: envInt(15_000, 0, 3_600_000),
      SENDER_AVAILABILITY_PROBE_TIMEOUT_MS: envInt(5_000, 100, 60_000),
      SENDER_AVAILABILITY_DEGRADED_AFTER_MS: envInt(10_000, 0, 3_600_000),
      SENDER_AVAILABILITY_CONFIRM_MS: envInt(60_000, 0, 3_600_000),
      SENDER_AVAILABILITY_RECOVER_MS: envInt(15_000, 0, 3_600_000),
      // Unset: derived from KSEF_BASE_URL (availability/latarnia-url.ts); `off`: not read.
      KSEF_LATARNIA_URL: envOptional(z.union([z.literal('off'), z.string().url()])),
      SENDER_OFFLINE_WARN_BEFORE_MS: envInt(DEFAULT_WARN_BEFORE_MS, 0, 7 * 86_400_000),
    },
    env,
  );
  const production = loaded.NODE_ENV === 'production';
  if (production && (loaded.SENDER_MASTER_KEY === undefined || loaded.SENDER_MASTER_KEY === DEV_MASTER_KEY)) {
    throw new ConfigError('Invalid configuration:\n  - SENDER_MASTER_KEY: required in production (the development default is public); generate one with `openssl rand -base64 32`');
  }
  return { ...loaded, SENDER_MASTER_KEY: loaded.SENDER_MASTER_KEY ?? DEV_MASTER_KEY, usesDevMasterKey: loaded.SENDER_MASTER_KEY === undefined || loaded.SENDER_MASTER_KEY === DEV_MASTER_KEY };
}

export const config = loadSenderConfig();

export type SenderConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'sender';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [...senderMigrations(DB_SCHEMA), ...sendJobClaimTokenMigrations(DB_SCHEMA), ...ksefAvailabilityMigrations(DB_SCHEMA), ...sendJobOfflineMigrations(DB_SCHEMA), ...offlineCertificateMigrations(DB_SCHEMA)] };
