import { z } from 'zod';
import { envBoolean, loadServiceConfig } from '@ksef-bridge/config';

/**
 * Simulator configuration. SIM_MODE=test enables the admin API (fault injection, seeding) like KSeF's TE environment.
 */
export const config = loadServiceConfig('ksef-simulator', 3100, {
  SIM_MODE: z.enum(['test', 'production']).default('test'),
  SIM_ADMIN_ENABLED: envBoolean(false),
});

/** PostgreSQL schema the simulator owns (durable state, survives restarts). */
export const DB_SCHEMA = 'ksef_sim';
