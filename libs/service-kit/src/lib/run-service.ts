import type { Type } from '@nestjs/common';
import { topicSpecs } from '@ksef-bridge/contracts';
import { createKafka, replayDeadLetters, TopicAdmin } from '@ksef-bridge/kafka';
import { createLogger, type Telemetry } from '@ksef-bridge/observability';
import { runMigrations } from '@ksef-bridge/persistence';
import { bootstrapService } from './bootstrap';
import { platformDataSource, type PlatformOptions } from './platform.module';

export interface RunServiceOptions extends PlatformOptions {
  config: PlatformOptions['config'] & { HTTP_PORT: number; HTTP_HOST: string; SHUTDOWN_TIMEOUT_MS: number };
  telemetry: Telemetry;
  module: Type<unknown>;
  /** Largest HTTP request body (default: bootstrapService's 1 MiB). */
  bodyLimitBytes?: number;
}

/**
 * The entry point of a pipeline service. Commands (argv[2]):
 * - (none): serve;
 * - `migrate`: run this service's migrations and exit;
 * - `create-topics`: create every topic of the contracts with its dead-letter twin and exit;
 * - `replay-dead-letters --topic T [--code C]… [--since ISO] [--dry-run]`: publish `T.dlt`'s messages back to `T`
 *   once their cause is fixed (consumers are idempotent, so a repeat is harmless), print the counts and exit.
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
        : command === 'replay-dead-letters'
          ? (async () => {
              const result = await replayDeadLetters(createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID }), parseReplayArgs(process.argv.slice(3)));
              process.stdout.write(`${JSON.stringify(result)}\n`);
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
              ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
            })
          : Promise.reject(new Error(`unknown command '${command}' (expected: migrate, create-topics, replay-dead-letters, or nothing to serve)`));
  task.catch((error: unknown) => {
    logger.fatal({ err: error }, `${config.SERVICE_NAME} failed to start`);
    logger.flush();
    setTimeout(() => process.exit(1), 100);
  });
}

const REPLAY_USAGE = 'usage: replay-dead-letters --topic <topic> [--code <DLT error code>]... [--since <ISO time>] [--dry-run]';

/** Arguments of `replay-dead-letters`; anything unknown or malformed is refused before Kafka is touched. */
export function parseReplayArgs(args: readonly string[]): { topic: string; codes: string[]; since?: Date; dryRun: boolean } {
  const out: { topic?: string; codes: string[]; since?: Date; dryRun: boolean } = { codes: [], dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--dry-run') out.dryRun = true;
    else if (arg === '--topic' || arg === '--code' || arg === '--since') {
      const value = args[++i];
      if (!value) throw new Error(`${arg} needs a value; ${REPLAY_USAGE}`);
      if (arg === '--topic') out.topic = value;
      else if (arg === '--code') out.codes.push(value);
      else {
        const since = new Date(value);
        if (Number.isNaN(since.getTime())) throw new Error(`--since '${value}' is not a date; ${REPLAY_USAGE}`);
        out.since = since;
      }
    } else throw new Error(`unknown argument '${arg}'; ${REPLAY_USAGE}`);
  }
  if (!out.topic) throw new Error(REPLAY_USAGE);
  if (out.topic.endsWith('.dlt')) throw new Error(`name the original topic, not its dead-letter twin ('${out.topic}'); ${REPLAY_USAGE}`);
  return { ...out, topic: out.topic };
}
