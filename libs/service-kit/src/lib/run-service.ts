import type { Type } from '@nestjs/common';
import { topicSpecs } from '@ksef-bridge/contracts';
import { createKafka, TopicAdmin } from '@ksef-bridge/kafka';
import { createLogger, type Telemetry } from '@ksef-bridge/observability';
import { runMigrations } from '@ksef-bridge/persistence';
import { bootstrapService } from './bootstrap';
import { platformDataSource, type PlatformOptions } from './platform.module';

export interface RunServiceOptions extends PlatformOptions {
  config: PlatformOptions['config'] & { HTTP_PORT: number; HTTP_HOST: string; SHUTDOWN_TIMEOUT_MS: number };
  telemetry: Telemetry;
  module: Type<unknown>;
}

/**
 * The entry point of a pipeline service. Commands (argv[2]):
 * - (none): serve;
 * - `migrate`: run this service's migrations and exit;
 * - `create-topics`: create every topic of the contracts with its dead-letter twin and exit.
 */
export function runService(options: RunServiceOptions): void {
  const { config } = options;
  const logger = createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL });
  const command = process.argv[2];
  const task: Promise<unknown> =
    command === 'migrate'
      ? (async () => {
          const ds = await platformDataSource(options).initialize();
          try {
            logger.info({ schema: options.schema, migrations: await runMigrations(ds, options.schema) }, 'migrations done');
          } finally {
            await ds.destroy();
          }
          process.exit(0);
        })()
      : command === 'create-topics'
        ? (async () => {
            const created = await new TopicAdmin(createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID })).ensureTopics(topicSpecs());
            logger.info({ created }, 'topics ensured');
            process.exit(0);
          })()
        : command === undefined
          ? bootstrapService({
              serviceName: config.SERVICE_NAME,
              module: options.module,
              http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
              logLevel: config.LOG_LEVEL,
              shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
              telemetry: options.telemetry,
              logger,
            })
          : Promise.reject(new Error(`unknown command '${command}' (expected: migrate, create-topics, or nothing to serve)`));
  task.catch((error: unknown) => {
    logger.fatal({ err: error }, `${config.SERVICE_NAME} failed to start`);
    logger.flush();
    setTimeout(() => process.exit(1), 100);
  });
}
