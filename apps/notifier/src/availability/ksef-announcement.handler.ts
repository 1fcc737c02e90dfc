import type { EntityManager } from 'typeorm';
import { ksefAnnouncementChanged, notificationKsefAnnouncementChanged } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { announcementNotification } from './availability-notification';
import type { AvailabilityNotificationRepository } from './availability-notification.repository';

/**
 * `ksef-availability.announcement-changed` (the Ministry's announcement on Latarnia changed, our own observation did
 * not) → ONE public `notification.ksef-announcement-changed` on Kafka (tenant `*`, key: the endpoint) and, for every
 * tenant with an enabled subscription to that type, its own copy with one delivery per subscription, all in the inbox
 * transaction, exactly like a state transition (KsefAvailabilityHandler). Deduplicated on the sender's change id.
 * No webhooks when the feed is first read and announces nothing (previous null, AVAILABLE): nothing changed for anybody.
 * Returns how many tenants were notified, or undefined when nothing new.
 */
export class KsefAnnouncementHandler {
  constructor(
    private readonly repository: AvailabilityNotificationRepository,
    private readonly outbox: OutboxWriter,
    private readonly publicTopic: string,
    private readonly logger: Logger,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<number | undefined> {
    const parsed = ksefAnnouncementChanged.safeParse(message.envelope);
    if (!parsed.success) throw new ValidationError(`${ksefAnnouncementChanged.type} does not match its contract: ${parsed.error.message}`);
    const source = parsed.data;
    const payload = announcementNotification(source.payload);
    const { changeId } = payload;
    const event = (tenant: string, aggregateId: string) => {
      const envelope = newEnvelope({ type: notificationKsefAnnouncementChanged.type, version: notificationKsefAnnouncementChanged.version, aggregateId, tenant, payload, traceparent: message.traceparent });
      // A public contract is a promise to other companies' systems: never publish what does not match it.
      notificationKsefAnnouncementChanged.parse(envelope);
      return envelope;
    };
    const global = event('*', payload.endpoint.slice(0, 200));
    if (!(await this.repository.record(manager, { dedupeKey: `announcement:${changeId}`, sourceEventId: source.id, transitionId: changeId, envelope: global }))) {
      this.logger.info({ changeId }, 'announcement change already published; nothing new');
      return undefined;
    }
    await this.outbox.enqueue(manager, [{ topic: this.publicTopic, envelope: global }]);
    const quiet = payload.previous === null && payload.mode === 'NONE';
    const tenants = quiet ? [] : await this.repository.subscribedTenants(manager, notificationKsefAnnouncementChanged.type);
    let deliveries = 0;
    for (const tenant of tenants) {
      // The tenant's copy: its aggregate is the change (a UUID, as dead letters and webhook bodies expect).
      const copy = event(tenant, changeId);
      if (await this.repository.record(manager, { dedupeKey: `announcement:${changeId}:${tenant}`, sourceEventId: source.id, transitionId: changeId, envelope: copy })) deliveries += await this.repository.fanOut(manager, copy);
    }
    this.logger.info({ changeId, state: payload.state, announced: payload.announced.status, mode: payload.mode, tenants: tenants.length, deliveries }, 'KSeF announcement published');
    return tenants.length;
  }
}
