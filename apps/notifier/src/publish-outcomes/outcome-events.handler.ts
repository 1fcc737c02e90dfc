import type { EntityManager } from 'typeorm';
import {
  invoiceAccepted,
  invoiceEscalated,
  invoiceInvalid,
  invoiceRejected,
  invoiceUpoReceived,
  notificationInvoiceAccepted,
  notificationInvoiceEscalated,
  notificationInvoiceRejected,
  notificationInvoiceUpoAvailable,
  type Envelope,
  type MessageContract,
} from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { acceptedNotification, escalatedNotification, ksefRejectedNotification, upoAvailableNotification, validationRejectedNotification } from '../domain/public-events';
import type { NotifierTopics } from '../notifier.settings';
import type { NotificationRepository } from './notification.repository';

/** Consumer group that turns internal outcomes into public events. */
export const OUTCOMES_GROUP = 'notifier.outcomes';

interface PublicEvent {
  contract: MessageContract<unknown>;
  topic: string;
  /** One public event per key: final outcomes per invoice, escalations per escalation event. */
  dedupeKey: string;
  invoiceId: string;
  payload: unknown;
}

function parsed<P>(contract: MessageContract<P>, envelope: Envelope): Envelope<P> {
  const result = contract.safeParse(envelope);
  if (!result.success) throw new ValidationError(`${contract.type} does not match its contract: ${result.error.message}`);
  return result.data;
}

/**
 * invoice.accepted / invoice.rejected / invoice.invalid / invoice.escalated / invoice.upo-received → the public event (validated against its
 * own contract), its notifications row and its webhook deliveries, all in the inbox transaction. Returns the public
 * type written, or undefined when this outcome was already published.
 */
export class OutcomeEventsHandler {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly outbox: OutboxWriter,
    private readonly topics: NotifierTopics,
    private readonly logger: Logger,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<string | undefined> {
    const source = message.envelope;
    const event = this.toPublic(source);
    const envelope = newEnvelope({
      type: event.contract.type,
      version: event.contract.version,
      aggregateId: event.invoiceId,
      tenant: source.tenant,
      payload: event.payload,
      traceparent: message.traceparent,
      correlationId: source.headers['correlation-id'],
    });
    // A public contract is a promise to other companies' systems: never publish what does not match it.
    parsed(event.contract, envelope);
    if (!(await this.notifications.record(manager, { dedupeKey: event.dedupeKey, sourceEventId: source.id, envelope }))) {
      this.logger.info({ invoiceId: event.invoiceId, dedupeKey: event.dedupeKey }, 'outcome already published; nothing new');
      return undefined;
    }
    await this.outbox.enqueue(manager, [{ topic: event.topic, envelope }]);
    const deliveries = await this.notifications.fanOut(manager, envelope);
    this.logger.info({ invoiceId: event.invoiceId, type: envelope.type, deliveries }, 'public event written');
    return envelope.type;
  }

  private toPublic(source: Envelope): PublicEvent {
    const t = this.topics;
    switch (source.type) {
      case invoiceAccepted.type: {
        const { payload } = parsed(invoiceAccepted, source);
        return { contract: notificationInvoiceAccepted, topic: t.notificationInvoiceAccepted, dedupeKey: `accepted:${payload.invoiceId}`, invoiceId: payload.invoiceId, payload: acceptedNotification(payload) };
      }
      case invoiceRejected.type: {
        const { payload } = parsed(invoiceRejected, source);
        return { contract: notificationInvoiceRejected, topic: t.notificationInvoiceRejected, dedupeKey: `rejected:${payload.invoiceId}`, invoiceId: payload.invoiceId, payload: ksefRejectedNotification(payload) };
      }
      case invoiceInvalid.type: {
        const { payload, occurredAt } = parsed(invoiceInvalid, source);
        return { contract: notificationInvoiceRejected, topic: t.notificationInvoiceRejected, dedupeKey: `rejected:${payload.invoiceId}`, invoiceId: payload.invoiceId, payload: validationRejectedNotification(payload, occurredAt) };
      }
      case invoiceEscalated.type: {
        const { payload } = parsed(invoiceEscalated, source);
        // An invoice can be escalated, fixed, re-queued and escalated again: each escalation is its own event.
        return { contract: notificationInvoiceEscalated, topic: t.notificationInvoiceEscalated, dedupeKey: `escalated:${source.id}`, invoiceId: payload.invoiceId, payload: escalatedNotification(payload) };
      }
      case invoiceUpoReceived.type: {
        const { payload } = parsed(invoiceUpoReceived, source);
        return { contract: notificationInvoiceUpoAvailable, topic: t.notificationInvoiceUpoAvailable, dedupeKey: `upo:${payload.invoiceId}`, invoiceId: payload.invoiceId, payload: upoAvailableNotification(payload) };
      }
      default:
        throw new ValidationError(`the notifier does not handle message type '${source.type}'`);
    }
  }
}
