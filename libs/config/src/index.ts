// Typed configuration validated at boot. The only lib that reads process.env.
export { loadConfig, readEnv, envBoolean, envInt, envList, envOptional } from './lib/load-config';
export type { Env } from './lib/load-config';
export { commonConfigShape, commonConfigSchema, databaseConfig, loadServiceConfig } from './lib/common';
export type { CommonConfig, DatabaseConfig } from './lib/common';
