// Test helpers that use real infrastructure (Kafka, PostgreSQL). Production code may not import this lib (lint).
export { uniqueSuffix, randomTopic, randomGroup } from './lib/names';
export { waitFor } from './lib/wait';
export { testKafkaBrokers, testDatabaseConfig } from './lib/infra-env';
export type { TestDatabaseConfig } from './lib/infra-env';
export { createTestDatabase } from './lib/test-database';
export type { TestDatabase } from './lib/test-database';
export { freePort } from './lib/free-port';
export { startPrivatePostgres } from './lib/private-postgres';
export type { PrivatePostgres } from './lib/private-postgres';
export { startPrivateKafka } from './lib/private-kafka';
export type { PrivateKafka } from './lib/private-kafka';
export { spawnLogged, stopProcess } from './lib/process-control';
export { startSimulator, buildSimulator, workspaceRoot } from './lib/simulator-process';
export type { SimulatorProcess, StartSimulatorOptions } from './lib/simulator-process';
