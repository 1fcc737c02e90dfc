import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TOPICS, topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { inboxHandler, Inbox, OutboxWriter } from '@ksef-bridge/outbox';
import { ConsumerRegistry, LOGGER } from '@ksef-bridge/service-kit';
import type { NotifierSettings } from '../notifier.settings';
import { AvailabilityNotificationRepository } from './availability-notification.repository';
import { KsefAnnouncementHandler } from './ksef-announcement.handler';
import { AVAILABILITY_GROUP, KsefAvailabilityHandler } from './ksef-availability.handler';

const AVAILABILITY_TOPICS = Symbol('AVAILABILITY_TOPICS');

interface Topics {
  source: string;
  public: string;
  /** The sender's announcement-only changes and their public event (notification.ksef-announcement-changed). */
  announcementSource: string;
  announcementPublic: string;
}

/**
 * Ensures the four topics and registers the availability consumer (inbox: one effect per message id): state
 * transitions and announcement-only changes, each to its own handler by topic.
 */
@Injectable()
class AvailabilityConsumerLifecycle implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(AVAILABILITY_TOPICS) private readonly topics: Topics,
    @Inject(KsefAvailabilityHandler) private readonly handler: KsefAvailabilityHandler,
    @Inject(KsefAnnouncementHandler) private readonly announcements: KsefAnnouncementHandler,
    @Inject('NOTIFIER_AVAILABILITY_SETTINGS') private readonly settings: NotifierSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    const specs = topicSpecsOf([this.topics.source, this.topics.public, this.topics.announcementSource, this.topics.announcementPublic]);
    // Another lifecycle may be creating its topics at the same moment; kafkajs then fails the metadata read once.
    await this.admin.ensureTopics(specs).catch(() => new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => this.admin.ensureTopics(specs)));
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${AVAILABILITY_GROUP}`,
      topics: [this.topics.source, this.topics.announcementSource],
      handler: inboxHandler(this.dataSource, new Inbox(this.settings.schema, AVAILABILITY_GROUP), async (manager, message) =>
        void (await (message.topic === this.topics.announcementSource ? this.announcements : this.handler).handle(manager, message)),
      ),
    });
  }
}

/** The notifier's KSeF availability slice (docs/notifier.md "KSeF availability"), for notifierAppModule. */
export function availabilityFeature(settings: NotifierSettings): Provider[] {
  const given = settings.availabilityTopics;
  const topics: Topics = {
    source: given?.source ?? TOPICS.ksefAvailabilityChanged,
    public: given?.public ?? TOPICS.notificationKsefAvailabilityChanged,
    announcementSource: given?.announcementSource ?? TOPICS.ksefAvailabilityAnnouncementChanged,
    announcementPublic: given?.announcementPublic ?? TOPICS.notificationKsefAnnouncementChanged,
  };
  return [
    { provide: AVAILABILITY_TOPICS, useValue: topics },
    { provide: 'NOTIFIER_AVAILABILITY_SETTINGS', useValue: settings },
    {
      provide: KsefAvailabilityHandler,
      inject: [OutboxWriter, LOGGER],
      useFactory: (outbox: OutboxWriter, logger: Logger) => new KsefAvailabilityHandler(new AvailabilityNotificationRepository(settings.schema), outbox, topics.public, logger.child({ component: 'ksef-availability' })),
    },
    {
      provide: KsefAnnouncementHandler,
      inject: [OutboxWriter, LOGGER],
      useFactory: (outbox: OutboxWriter, logger: Logger) => new KsefAnnouncementHandler(new AvailabilityNotificationRepository(settings.schema), outbox, topics.announcementPublic, logger.child({ component: 'ksef-announcement' })),
    },
    AvailabilityConsumerLifecycle,
  ];
}
