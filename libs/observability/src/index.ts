// OpenTelemetry bootstrap, pino logger, Prometheus registry.
export { startTelemetry, getTracer, currentTraceparent, currentTraceId } from './lib/telemetry';
export { inTraceOf, annotateActiveSpan } from './lib/trace-continuation';
export type { Telemetry, TelemetryOptions } from './lib/telemetry';
export { createLogger, REDACT_PATHS } from './lib/logger';
export type { Logger, LoggerConfig } from './lib/logger';
export { createMetricsRegistry, getOrCreateMetric, Counter, Gauge, Histogram, Registry } from './lib/metrics';
