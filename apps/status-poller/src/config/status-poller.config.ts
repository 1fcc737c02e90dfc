import { loadServiceConfig } from '@ksef-bridge/config';

/** StatusPoller configuration, validated at boot. Common variables: see README "Configuration". */
export const config = loadServiceConfig('status-poller', 3004, {});

export type StatusPollerConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'status_poller';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
