import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseConfig, type CommonConfig } from '@ksef-bridge/config';
import { ConsumerLagReader, createKafka, KafkaPublisher, TopicAdmin, type KafkaClient } from '@ksef-bridge/kafka';
import type { Logger, Registry } from '@ksef-bridge/observability';
import { OutboxRelay, OutboxWriter, outboxMigrations } from '@ksef-bridge/outbox';
import { createDataSource, pingDatabase, runMigrations } from '@ksef-bridge/persistence';
import { ConsumerRegistry } from './consumer-registry';
import { HealthRegistry } from './health-registry';
import { outboxRelayMetrics, registerPlatformMetrics } from './platform-metrics';
import { KAFKA_CLIENT, PLATFORM_OPTIONS } from './platform-tokens';
import { LOGGER, METRICS_REGISTRY } from './tokens';

export { KAFKA_CLIENT } from './platform-tokens';

export interface PlatformOptions {
  config: CommonConfig & { SERVICE_NAME: string; KAFKA_CLIENT_ID: string };
  /** The PostgreSQL schema this service owns (its outbox and inbox tables live there too). */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
}

/** The service's data source on its own schema: outbox/inbox migrations first, then the service's own. */
export function platformDataSource(options: PlatformOptions): DataSource {
  return createDataSource({
    db: databaseConfig(options.config),
    schema: options.schema,
    migrations: [...outboxMigrations(options.schema), ...options.migrations],
    entities: options.entities ?? [],
    applicationName: options.config.SERVICE_NAME,
  });
}

@Injectable()
class PlatformLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    private readonly dataSource: DataSource,
    private readonly admin: TopicAdmin,
    private readonly publisher: KafkaPublisher,
    private readonly relay: OutboxRelay,
    private readonly consumers: ConsumerRegistry,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly lag: ConsumerLagReader,
  ) {}

  async onModuleInit(): Promise<void> {
    const ran = await runMigrations(this.dataSource, this.options.schema);
    if (ran.length) this.logger.info({ migrations: ran }, 'migrations applied');
    this.health.register('postgres', (timeoutMs) => pingDatabase(this.dataSource, timeoutMs));
    this.health.register('kafka', (timeoutMs) => this.admin.ping(timeoutMs));
    registerPlatformMetrics(this.registry, this.relay, { reader: this.lag, groups: () => this.consumers.groups() });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    await this.consumers.startAll();
  }

  /** Order matters: stop consuming (in-flight work finishes, offsets commit), then drain the relay's round. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumers.stopAll().catch((err: unknown) => this.logger.warn({ err }, 'consumer stop failed'));
    await this.relay.stop().catch((err: unknown) => this.logger.warn({ err }, 'outbox relay stop failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'kafka producer disconnect failed'));
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Kafka (client, publisher, topic admin, consumers) and PostgreSQL (data source on the service's schema, migrations
 * at boot under an advisory lock), the transactional outbox (writer + relay) and readiness checks, for a pipeline
 * service. Use `OutboxWriter` inside transactions and `ConsumerRegistry.register` for consumers.
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
        // Consumer lag for /metrics: one broker round per 5 s at most, however often Prometheus scrapes.
        { provide: ConsumerLagReader, inject: [KAFKA_CLIENT], useFactory: (client: KafkaClient) => new ConsumerLagReader(client, { cacheMs: 5_000 }) },
        { provide: DataSource, useFactory: () => platformDataSource(options).initialize() },
        { provide: OutboxWriter, useValue: new OutboxWriter(options.schema) },
        {
          provide: OutboxRelay,
          inject: [DataSource, KafkaPublisher, LOGGER, METRICS_REGISTRY],
          useFactory: (ds: DataSource, publisher: KafkaPublisher, logger: Logger, registry: Registry) =>
            new OutboxRelay(ds, publisher, { schema: options.schema, logger: logger.child({ component: 'outbox-relay' }), metrics: outboxRelayMetrics(registry) }),
        },
        ConsumerRegistry,
        PlatformLifecycle,
      ],
      exports: [KAFKA_CLIENT, TopicAdmin, KafkaPublisher, DataSource, OutboxWriter, OutboxRelay, ConsumerRegistry],
    };
  }
}
