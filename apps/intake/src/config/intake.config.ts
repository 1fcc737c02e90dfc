import { loadServiceConfig } from '@ksef-bridge/config';

/** Intake configuration, validated at boot. Common variables: see README "Configuration". */
export const config = loadServiceConfig('intake', 3001, {});

export type IntakeConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'intake';

/** Kafka + PostgreSQL wiring of this service (schema, migrations), shared by the module and the CLI commands. */
export const platform = { config, schema: DB_SCHEMA, migrations: [] };
