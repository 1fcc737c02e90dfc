import type { EntityManager } from 'typeorm';
import { ksefAvailabilityChanged, notificationKsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { availabilityNotification } from './availability-notification';
import type { AvailabilityNotificationRepository } from './availability-notification.repository';

/** Consumer group that turns KSeF availability transitions into public events and webhooks. */
export const AVAILABILITY_GROUP = 'notifier.ksef-availability';

/**
 * `ksef-availability.changed` → ONE public `notification.ksef-availability-changed` on Kafka (tenant `*`, key: the
 * endpoint) and, for every tenant with an enabled subscription to that type, its own copy with one delivery per
 * subscription, all in the inbox transaction (no webhooks for the first state ever recorded when it is AVAILABLE). Deduplicated on the sender's transition id, so a redelivered or
 * re-emitted transition publishes nothing new. Returns how many tenants were notified, or undefined when nothing new.
 */
export class KsefAvailabilityHandler {
  constructor(
    private readonly repository: AvailabilityNotificationRepository,
    private readonly outbox: OutboxWriter,
    private readonly publicTopic: string,
    private readonly logger: Logger,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<number | undefined> {
    const parsed = ksefAvailabilityChanged.safeParse(message.envelope);
    if (!parsed.success) throw new ValidationError(`${ksefAvailabilityChanged.type} does not match its contract: ${parsed.error.message}`);
    const source = parsed.data;
    const payload = availabilityNotification(source.payload);
    const { transitionId } = payload;
    const event = (tenant: string, aggregateId: string) => {
      const envelope = newEnvelope({ type: notificationKsefAvailabilityChanged.type, version: notificationKsefAvailabilityChanged.version, aggregateId, tenant, payload, traceparent: message.traceparent });
      // A public contract is a promise to other companies' systems: never publish what does not match it.
      notificationKsefAvailabilityChanged.parse(envelope);
      return envelope;
    };

    const global = event('*', payload.endpoint.slice(0, 200));
    if (!(await this.repository.record(manager, { dedupeKey: `availability:${transitionId}`, sourceEventId: source.id, transitionId, envelope: global }))) {
      this.logger.info({ transitionId }, 'availability transition already published; nothing new');
      return undefined;
    }
    await this.outbox.enqueue(manager, [{ topic: this.publicTopic, envelope: global }]);
    // The first state ever recorded being AVAILABLE changes nothing for anybody's customers: on Kafka, no webhooks.
    const quiet = payload.from === null && payload.to === 'AVAILABLE';
    const tenants = quiet ? [] : await this.repository.subscribedTenants(manager, notificationKsefAvailabilityChanged.type);
    let deliveries = 0;
    for (const tenant of tenants) {
      // The tenant's copy: its aggregate is the transition (a UUID, as dead letters and webhook bodies expect).
      const copy = event(tenant, transitionId);
      if (await this.repository.record(manager, { dedupeKey: `availability:${transitionId}:${tenant}`, sourceEventId: source.id, transitionId, envelope: copy })) deliveries += await this.repository.fanOut(manager, copy);
    }
    this.logger.info({ transitionId, from: payload.from, to: payload.to, tenants: tenants.length, deliveries }, 'KSeF availability published');
    return tenants.length;
  }
}
