import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseConfig, type CommonConfig } from '@ksef-bridge/config';
import { createKafka, KafkaPublisher, TopicAdmin, type KafkaClient } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { createDataSource, pingDatabase, runMigrations } from '@ksef-bridge/persistence';
import { HealthRegistry } from './health-registry';
import { LOGGER } from './tokens';

export interface PlatformOptions {
  config: CommonConfig & { SERVICE_NAME: string; KAFKA_CLIENT_ID: string };
  /** The PostgreSQL schema this service owns. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
}

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');

/** The service's data source on its own schema (synchronize off). */
export function platformDataSource(options: PlatformOptions): DataSource {
  return createDataSource({
    db: databaseConfig(options.config),
    schema: options.schema,
    migrations: options.migrations,
    entities: options.entities ?? [],
    applicationName: options.config.SERVICE_NAME,
  });
}

@Injectable()
class PlatformLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    private readonly dataSource: DataSource,
    private readonly admin: TopicAdmin,
    private readonly publisher: KafkaPublisher,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const ran = await runMigrations(this.dataSource, this.options.schema);
    if (ran.length) this.logger.info({ migrations: ran }, 'migrations applied');
    this.health.register('postgres', (timeoutMs) => pingDatabase(this.dataSource, timeoutMs));
    this.health.register('kafka', (timeoutMs) => this.admin.ping(timeoutMs));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'kafka producer disconnect failed'));
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Kafka (client, publisher, topic admin) and PostgreSQL (data source on the service's schema, migrations at boot
 * under an advisory lock) for a pipeline service, with both registered as readiness checks.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          inject: [LOGGER],
          useFactory: (logger: Logger) => createKafka({ brokers: options.config.KAFKA_BROKERS, clientId: options.config.KAFKA_CLIENT_ID, logger: logger.child({ component: 'kafka' }) }),
        },
        { provide: TopicAdmin, inject: [KAFKA_CLIENT], useFactory: (client: KafkaClient) => new TopicAdmin(client) },
        { provide: KafkaPublisher, inject: [KAFKA_CLIENT], useFactory: (client: KafkaClient) => new KafkaPublisher(client) },
        { provide: DataSource, useFactory: () => platformDataSource(options).initialize() },
        PlatformLifecycle,
      ],
      exports: [KAFKA_CLIENT, TopicAdmin, KafkaPublisher, DataSource],
    };
  }
}
