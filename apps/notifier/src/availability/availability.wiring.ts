import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TOPICS, topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { inboxHandler, Inbox, OutboxWriter } from '@ksef-bridge/outbox';
import { ConsumerRegistry, LOGGER } from '@ksef-bridge/service-kit';
import type { NotifierSettings } from '../notifier.settings';
import { AvailabilityNotificationRepository } from './availability-notification.repository';
import { AVAILABILITY_GROUP, KsefAvailabilityHandler } from './ksef-availability.handler';

const AVAILABILITY_TOPICS = Symbol('AVAILABILITY_TOPICS');

interface Topics {
  source: string;
  public: string;
}

/** Ensures the two topics and registers the availability consumer (inbox: one effect per message id). */
@Injectable()
class AvailabilityConsumerLifecycle implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(AVAILABILITY_TOPICS) private readonly topics: Topics,
    @Inject(KsefAvailabilityHandler) private readonly handler: KsefAvailabilityHandler,
    @Inject('NOTIFIER_AVAILABILITY_SETTINGS') private readonly settings: NotifierSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    const specs = topicSpecsOf([this.topics.source, this.topics.public]);
    // Another lifecycle may be creating its topics at the same moment; kafkajs then fails the metadata read once.
    await this.admin.ensureTopics(specs).catch(() => new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => this.admin.ensureTopics(specs)));
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${AVAILABILITY_GROUP}`,
      topics: [this.topics.source],
      handler: inboxHandler(this.dataSource, new Inbox(this.settings.schema, AVAILABILITY_GROUP), async (manager, message) => void (await this.handler.handle(manager, message))),
    });
  }
}

/** The notifier's KSeF availability slice (docs/notifier.md "KSeF availability"), for notifierAppModule. */
export function availabilityFeature(settings: NotifierSettings): Provider[] {
  const topics: Topics = settings.availabilityTopics ?? { source: TOPICS.ksefAvailabilityChanged, public: TOPICS.notificationKsefAvailabilityChanged };
  return [
    { provide: AVAILABILITY_TOPICS, useValue: topics },
    { provide: 'NOTIFIER_AVAILABILITY_SETTINGS', useValue: settings },
    {
      provide: KsefAvailabilityHandler,
      inject: [OutboxWriter, LOGGER],
      useFactory: (outbox: OutboxWriter, logger: Logger) => new KsefAvailabilityHandler(new AvailabilityNotificationRepository(settings.schema), outbox, topics.public, logger.child({ component: 'ksef-availability' })),
    },
    AvailabilityConsumerLifecycle,
  ];
}
