import { DynamicModule, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, createMetricsRegistry, type Logger, type Registry, type Telemetry } from '@ksef-bridge/observability';
import { HealthRegistry } from './health-registry';
import { PinoNestLogger } from './nest-logger';
import { ServiceKitModule } from './service-kit.module';

export interface BootstrapOptions {
  serviceName: string;
  /** The app's root module; imported next to ServiceKitModule (which is global). */
  module: Type<unknown> | DynamicModule;
  http: { port: number; host: string };
  logLevel?: string;
  /** Hard limit for a graceful shutdown before the process exits anyway. Default 15 s. */
  shutdownTimeoutMs?: number;
  /** Started in the app's instrumentation.ts, before anything else was imported. */
  telemetry: Telemetry;
  /** Largest request body fastify accepts. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Route prefix for the app's API (e.g. `v2`); /health and /metrics stay at the root. */
  globalPrefix?: string;
  /** Hook to register parsers, hooks, CORS… before listening. */
  configure?: (app: NestFastifyApplication, logger: Logger) => void | Promise<void>;
  /** Signals to handle; default SIGTERM and SIGINT. Pass [] in tests that manage the lifecycle themselves. */
  signals?: NodeJS.Signals[];
  logger?: Logger;
  registry?: Registry;
}

export interface RunningService {
  app: NestFastifyApplication;
  /** Base URL the server listens on, e.g. http://127.0.0.1:3001 */
  url: string;
  logger: Logger;
  registry: Registry;
  /** Graceful stop: readiness off, in-flight work finished by module shutdown hooks, offsets committed, telemetry flushed. */
  close(): Promise<void>;
}

/**
 * Boots a NestJS service on fastify with the platform pieces every app needs: pino logs, /health (readiness checks
 * registered by the app) and /metrics, and graceful shutdown on SIGTERM: readiness turns false, Nest's shutdown hooks
 * stop consumers (finish in-flight work, commit offsets) and relays, then spans are flushed.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ serviceName: options.serviceName, level: options.logLevel });
  const registry = options.registry ?? createMetricsRegistry(options.serviceName);

  @Module({ imports: [ServiceKitModule.forRoot({ serviceName: options.serviceName, logger, registry }), options.module] })
  class ServiceRootModule {}

  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, trustProxy: false });
  const app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix, { exclude: ['health', 'health/(.*)', 'metrics'] });
  await options.configure?.(app, logger);
  await app.listen(options.http.port, options.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : options.http.port;
  const url = `http://${options.http.host === '0.0.0.0' ? '127.0.0.1' : options.http.host}:${port}`;
  logger.info({ url }, `${options.serviceName} listening`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      app.get(HealthRegistry).markShuttingDown();
      await app.close();
      await options.telemetry.shutdown();
    })();
    return closing;
  };

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      const timeoutMs = options.shutdownTimeoutMs ?? 15_000;
      const killer = setTimeout(() => {
        logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
        process.exit(1);
      }, timeoutMs);
      killer.unref();
      close().then(
        () => {
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }

  return { app, url, logger, registry, close };
}
