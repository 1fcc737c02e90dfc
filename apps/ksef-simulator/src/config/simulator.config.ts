import { z } from 'zod';
import { envBoolean, envInt, loadServiceConfig } from '@ksef-bridge/config';

/**
 * Simulator configuration (validated at boot). SIM_MODE=test behaves like KSeF's TE environment and enables the
 * admin API (fault injection, seeding); SIM_ADMIN_ENABLED=true enables it in production mode too.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | SIM_MODE | test | `test` (TE: FA(2)+FA(3), /testdata, admin API) or `production` |
 * | SIM_ADMIN_ENABLED | false | admin API under /admin outside test mode |
 * | SIM_PUBLIC_URL | unset | base URL used in returned links (UPO, batch parts); unset: the request's Host |
 * | SIM_ACCESS_TOKEN_TTL_SECONDS | 900 | access-token lifetime |
 * | SIM_REFRESH_TOKEN_TTL_SECONDS | 604800 | refresh-token lifetime (7 days) |
 * | SIM_AUTH_TOKEN_TTL_SECONDS | 3600 | authenticationToken lifetime (status + redeem) |
 * | SIM_PROCESSING_DELAY_MS | 300 | delay of each processing step (100 -> 150 -> final), simulated time |
 * | SIM_AUTH_DELAY_MS | 100 | delay before an authentication operation reaches its final status |
 * | SIM_CLOCK_SCALE | 1 | simulated seconds per real second (3600 compresses an hour into a second) |
 * | SIM_RATE_LIMITS | te | initial limits: `te` (10x production), `production`, or `off` |
 * | SIM_FAULT_SEED | 1 | seed of the fault-injection random generator |
 * | SIM_BODY_LIMIT_BYTES | 110000000 | largest request body (batch parts are up to 100 MB) |
 * | SIM_PROCESSING_WORKERS | 1 | worker threads for the invoice checks (XSD validation); 0 = in the HTTP thread |
 */
export const config = loadServiceConfig('ksef-simulator', 3100, {
  SIM_MODE: z.enum(['test', 'production']).default('test'),
  SIM_ADMIN_ENABLED: envBoolean(false),
  SIM_PUBLIC_URL: z.string().url().optional(),
  SIM_ACCESS_TOKEN_TTL_SECONDS: envInt(900, 1, 86_400),
  SIM_REFRESH_TOKEN_TTL_SECONDS: envInt(604_800, 1, 2_592_000),
  SIM_AUTH_TOKEN_TTL_SECONDS: envInt(3_600, 1, 604_800),
  SIM_PROCESSING_DELAY_MS: envInt(300, 0, 3_600_000),
  SIM_AUTH_DELAY_MS: envInt(100, 0, 3_600_000),
  SIM_CLOCK_SCALE: z.coerce.number().positive().max(1_000_000).default(1),
  SIM_RATE_LIMITS: z.enum(['te', 'production', 'off']).default('te'),
  SIM_FAULT_SEED: envInt(1, 0, 2_147_483_647),
  SIM_BODY_LIMIT_BYTES: envInt(110_000_000, 1_000_000, 1_000_000_000),
  SIM_PROCESSING_WORKERS: envInt(1, 0, 16),
});

export type SimulatorConfig = typeof config;

/** PostgreSQL schema the simulator owns (durable state, survives restarts). */
export const DB_SCHEMA = 'ksef_simulator';
