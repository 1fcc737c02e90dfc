import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { invoiceIdSchema } from '../shared/invoice-fields.schema';

/**
 * notifier → operators (alerting, panel): a webhook delivery is DEAD, i.e. the tenant's endpoint answered with a
 * permanent failure or did not take the event within the attempt budget. The public event itself is still on its
 * Kafka topic; `redeliver-webhooks` re-queues the delivery. Key: invoice id. docs/notifier.md.
 */
export const notifierWebhookDeadLetteredPayload = z.object({
  deliveryId: z.string().uuid(),
  subscriptionId: z.string().uuid(),
  /** The public event that was not delivered. */
  eventId: z.string().uuid(),
  eventType: z.string().min(1),
  invoiceId: invoiceIdSchema,
  /** Scheme, host and port of the endpoint only (a path or query may hold tokens). */
  endpointOrigin: z.string().min(1),
  reason: z.enum(['permanent-failure', 'attempts-exhausted']),
  attempts: z.number().int().positive(),
  lastHttpStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  deadAt: z.string().datetime({ offset: true }),
});

export const notifierWebhookDeadLettered = defineMessage({
  type: 'notifier.webhook-dead-lettered',
  version: 1,
  topic: TOPICS.notifierWebhookDeadLettered,
  payload: notifierWebhookDeadLetteredPayload,
});

export type NotifierWebhookDeadLettered = z.infer<typeof notifierWebhookDeadLetteredPayload>;
