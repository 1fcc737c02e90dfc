// OpenTelemetry bootstrap, pino logger, Prometheus registry.
// Curated public API: import only from '@ksef-bridge/observability'.
export {};
