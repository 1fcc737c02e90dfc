import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import type { Logger, Registry } from '@ksef-bridge/observability';
import { Inbox, OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import { ConsumerRegistry, LOGGER, METRICS_REGISTRY, PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { availabilityFeature } from './availability/availability.wiring';
import { NOTIFIER_SETTINGS, webhookSecretCipher, type NotifierSettings } from './notifier.settings';
import { NotificationRepository } from './publish-outcomes/notification.repository';
import { OUTCOMES_GROUP, OutcomeEventsHandler } from './publish-outcomes/outcome-events.handler';
import { DeliveryProcessor } from './webhooks/delivery.processor';
import { DeliveryRepository } from './webhooks/delivery.repository';
import { DeliveryScheduler } from './webhooks/delivery-scheduler';
import { notifierMetrics, registerDeliveryGauges, type NotifierMetrics } from './webhooks/notifier-metrics';

const NOTIFIER_METRICS = Symbol('NOTIFIER_METRICS');

/** Ensures topics, registers the outcomes consumer, runs the delivery scheduler while the app is up. */
@Injectable()
class NotifierLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(OutcomeEventsHandler) private readonly handler: OutcomeEventsHandler,
    @Inject(DeliveryScheduler) private readonly scheduler: DeliveryScheduler,
    @Inject(DeliveryRepository) private readonly deliveries: DeliveryRepository,
    @Inject(NOTIFIER_METRICS) private readonly metrics: NotifierMetrics,
    @Inject(METRICS_REGISTRY) private readonly prometheus: Registry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topics, schema } = this.settings;
    registerDeliveryGauges(this.prometheus, this.dataSource, this.deliveries);
    await this.admin.ensureTopics(topicSpecsOf(Object.values(topics)));
    const inbox = new Inbox(schema, OUTCOMES_GROUP);
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${OUTCOMES_GROUP}`,
      topics: [topics.invoiceAccepted, topics.invoiceRejected, topics.invoiceInvalid, topics.invoiceEscalated, topics.invoiceUpoReceived],
      // The inbox handler of @ksef-bridge/outbox, plus counting what was published once the transaction committed.
      handler: async (messages) => {
        const published: string[] = [];
        await withTransaction(this.dataSource, async (manager) => {
          for (const message of await inbox.claim(manager, messages)) {
            const type = await this.handler.handle(manager, message);
            if (type) published.push(type);
          }
        });
        for (const type of published) this.metrics.published(type);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  /** Runs before the platform's shutdown hooks: the last attempts (and dead letters) reach the outbox before the relay drains. */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
  }
}

@Module({})
class NotifierFeaturesModule {}

/**
 * The notifier: internal outcomes → public events (inbox transaction, one per outcome) with their webhook deliveries,
 * and a scheduler that POSTs signed webhooks with retries and dead letters (docs/notifier.md).
 */
export function notifierAppModule(platform: PlatformOptions, settings: NotifierSettings): DynamicModule {
  const cipher = webhookSecretCipher(settings.masterKey, settings.previousMasterKeys);
  return {
    module: NotifierFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    providers: [
      { provide: NOTIFIER_SETTINGS, useValue: settings },
      { provide: NotificationRepository, useValue: new NotificationRepository(settings.schema) },
      { provide: DeliveryRepository, useValue: new DeliveryRepository(settings.schema) },
      { provide: NOTIFIER_METRICS, inject: [METRICS_REGISTRY], useFactory: (registry: Registry) => notifierMetrics(registry) },
      {
        provide: OutcomeEventsHandler,
        inject: [NotificationRepository, OutboxWriter, LOGGER],
        useFactory: (notifications: NotificationRepository, outbox: OutboxWriter, logger: Logger) => new OutcomeEventsHandler(notifications, outbox, settings.topics, logger.child({ component: 'outcomes' })),
      },
      {
        provide: DeliveryScheduler,
        inject: [DataSource, DeliveryRepository, OutboxWriter, LOGGER, NOTIFIER_METRICS],
        useFactory: (ds: DataSource, deliveries: DeliveryRepository, outbox: OutboxWriter, logger: Logger, metrics: NotifierMetrics) => {
          const log = logger.child({ component: 'webhooks' });
          const options = { production: settings.production, retry: settings.retry, ...settings.delivery, deadLetterTopic: settings.topics.webhookDeadLettered };
          return new DeliveryScheduler(ds, deliveries, new DeliveryProcessor(ds, deliveries, outbox, cipher, options, log, metrics), settings.scheduler, log);
        },
      },
      NotifierLifecycle,
      ...availabilityFeature(settings),
    ],
  };
}
