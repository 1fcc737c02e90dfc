import { loadServiceConfig } from '@ksef-bridge/config';

/** Notifier configuration, validated at boot. Common variables: see README "Configuration". */
export const config = loadServiceConfig('notifier', 3005, {});

export type NotifierConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'notifier';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
