import { loadServiceConfig } from '@ksef-bridge/config';

/** Sender configuration, validated at boot. Common variables: see README "Configuration". */
export const config = loadServiceConfig('sender', 3003, {});

export type SenderConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'sender';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
