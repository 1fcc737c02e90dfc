import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger, Registry } from '@ksef-bridge/observability';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { MetricsController } from './metrics.controller';
import { LOGGER, METRICS_REGISTRY, SERVICE_NAME } from './tokens';

export interface ServiceKitOptions {
  serviceName: string;
  logger: Logger;
  registry: Registry;
}

/** Global platform module of every service: logger, metrics registry, health registry, /health and /metrics. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthRegistry,
        { provide: LOGGER, useValue: options.logger },
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: SERVICE_NAME, useValue: options.serviceName },
      ],
      exports: [HealthRegistry, LOGGER, METRICS_REGISTRY, SERVICE_NAME],
    };
  }
}
