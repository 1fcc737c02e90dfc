import { z } from 'zod';
import { envInt, envList, envOptional, loadServiceConfig, type Env } from '@ksef-bridge/config';
import { statusPollerMigrations } from '../infrastructure/migrations/1764300000000-status-poller.migration';
import { openRowsBySessionMigrations } from '../infrastructure/migrations/1764900000000-open-rows-by-session.migration';
import { escalationWatchMigrations } from '../infrastructure/migrations/1765000000000-escalation-watch.migration';

const backoff = envList(['1000', '2000', '5000', '15000', '60000'])
  .transform((list) => list.map(Number))
  .pipe(z.array(z.number().int().min(0).max(86_400_000)).min(1));

/**
 * Status-poller configuration, validated at boot. Common variables: see README "Configuration". Own variables
 * (docs/status-poller.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | KSEF_BASE_URL | http://127.0.0.1:3100/v2 | KSeF API base |
 * | KSEF_RATE_LIMITS | production | limiter table: `production`, `te` (10x) or `off` |
 * | KSEF_TIMEOUT_MS | 30000 | whole-call timeout of one KSeF request |
 * | SENDER_URL | http://127.0.0.1:3003 | the sender, which hands out short-lived KSeF access tokens |
 * | INTERNAL_API_TOKEN | unset | bearer token for the sender's `/internal/*` (must match the sender's) |
 * | SENDER_TOKEN_TIMEOUT_MS | 15000 | timeout of one access-token request (the sender may have to log in to KSeF) |
 * | POLLER_BACKOFF_MS | 1000,2000,5000,15000,60000 | delays before poll 2, 3, …; the last one repeats (cap) |
 * | POLLER_JITTER | 0.2 | ± fraction of each delay randomised |
 * | POLLER_VERDICT_DEADLINE_MS | 3600000 | no final status this long after submission → ESCALATED (KSEF_NO_VERDICT) |
 * | POLLER_UPO_WAIT_MS | 600000 | an accepted invoice's UPO is awaited this long before invoice.accepted goes out with `upoPending` |
 * | POLLER_UPO_LATE_INTERVAL_MS | 300000 | after that, the UPO is fetched this often until it comes (then invoice.upo-received) |
 * | POLLER_ESCALATED_INTERVAL_MS | 900000 | a KSEF_NO_VERDICT escalation is checked this often for a late verdict |
 * | POLLER_ESCALATED_WATCH_MS | 604800000 | … for this long after the escalation (7 days); 0 = not watched |
 * | POLLER_INTERVAL_MS | 250 | how often the scheduler looks for due rows |
 * | POLLER_BATCH_SIZE | 500 | rows claimed per round |
 * | POLLER_LEASE_MS | 60000 | lease of claimed rows (another instance takes them over after it) |
 * | POLLER_LIST_MIN_ROWS | 2 | due rows of one session from which the session is listed instead of asked per invoice |
 * | POLLER_PARALLEL_SESSIONS | 4 | sessions worked on in parallel per round |
 * | POLLER_SESSION_UPO_MIN_ROWS | 10 | accepted invoices of one closed session awaiting a UPO from which the session UPO is read instead of per-invoice UPOs (batch sessions: always); 0 = off |
 */
export function loadStatusPollerConfig(env?: Env) {
  return loadServiceConfig(
    'status-poller',
    3004,
    {
      KSEF_BASE_URL: z.string().url().default('http://127.0.0.1:3100/v2'),
      KSEF_RATE_LIMITS: z.enum(['production', 'te', 'off']).default('production'),
      KSEF_TIMEOUT_MS: envInt(30_000, 1_000, 300_000),
      SENDER_URL: z.string().url().default('http://127.0.0.1:3003'),
      INTERNAL_API_TOKEN: envOptional(z.string().min(16)),
      SENDER_TOKEN_TIMEOUT_MS: envInt(15_000, 100, 120_000),
      POLLER_BACKOFF_MS: backoff,
      POLLER_JITTER: z.coerce.number().min(0).max(1).default(0.2),
      POLLER_VERDICT_DEADLINE_MS: envInt(3_600_000, 1_000, 30 * 86_400_000),
      POLLER_UPO_WAIT_MS: envInt(600_000, 0, 7 * 86_400_000),
      POLLER_UPO_LATE_INTERVAL_MS: envInt(300_000, 100, 86_400_000),
      POLLER_ESCALATED_INTERVAL_MS: envInt(900_000, 100, 86_400_000),
      POLLER_ESCALATED_WATCH_MS: envInt(7 * 86_400_000, 0, 90 * 86_400_000),
      POLLER_INTERVAL_MS: envInt(250, 10, 60_000),
      POLLER_BATCH_SIZE: envInt(500, 1, 10_000),
      POLLER_LEASE_MS: envInt(60_000, 1_000, 3_600_000),
      POLLER_LIST_MIN_ROWS: envInt(2, 1, 10_000),
      POLLER_PARALLEL_SESSIONS: envInt(4, 1, 64),
      POLLER_SESSION_UPO_MIN_ROWS: envInt(10, 0, 10_000),
    },
    env,
  );
}

export const config = loadStatusPollerConfig();

export type StatusPollerConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'status_poller';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [...statusPollerMigrations(DB_SCHEMA), ...openRowsBySessionMigrations(DB_SCHEMA), ...escalationWatchMigrations(DB_SCHEMA)] };
