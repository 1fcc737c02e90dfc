// Nest service bootstrap shared by every app: /health (readiness + liveness), /metrics, graceful shutdown.
export { bootstrapService } from './lib/bootstrap';
export type { BootstrapOptions, RunningService } from './lib/bootstrap';
export { ServiceKitModule } from './lib/service-kit.module';
export type { ServiceKitOptions } from './lib/service-kit.module';
export { HealthRegistry } from './lib/health-registry';
export type { HealthCheckFn } from './lib/health-registry';
export { LOGGER, METRICS_REGISTRY, SERVICE_NAME } from './lib/tokens';
export { PinoNestLogger } from './lib/nest-logger';
export { PlatformModule, KAFKA_CLIENT, platformDataSource } from './lib/platform.module';
export { ConsumerRegistry } from './lib/consumer-registry';
export type { PlatformOptions } from './lib/platform.module';
export { runService } from './lib/run-service';
export type { RunServiceOptions } from './lib/run-service';
export { RoundLoop } from './lib/round-loop';
