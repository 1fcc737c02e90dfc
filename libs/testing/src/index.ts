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
export { jaegerQueryUrl, jaegerOtlpEndpoint, fetchJaegerTrace, jaegerServices, waitForJaegerTrace, traceProblems, describeTrace, traceServices, spanService, parentSpanId, spanTag, startTestRootSpan } from './lib/jaeger-trace';
export type { JaegerTrace, JaegerSpan, JaegerSpanReference, JaegerTag, WaitForTraceOptions, TraceExpectations, TestRootSpan } from './lib/jaeger-trace';
export { parseRuleFile, readRuleFiles, ruleMetricNames, exposedFamilies, familyOf } from './lib/prometheus-rules';
export type { PrometheusRule } from './lib/prometheus-rules';
