import { loadServiceConfig } from '@ksef-bridge/config';

/** Validator configuration, validated at boot. Common variables: see README "Configuration". */
export const config = loadServiceConfig('validator', 3002, {});

export type ValidatorConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'validator';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
