import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { ksefAvailabilityCauseSchema, ksefAvailabilityStateSchema } from '../ksef-availability-changed/ksef-availability-changed.message';

/** A ready-to-send text for the tenant's own customers, rendered from the notifier's templates. */
const customerMessageSchema = z.object({ subject: z.string().min(1), body: z.string().min(1) });

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: KSeF (as this bridge reaches it) became available,
 * degraded or unavailable. Not about one invoice: on Kafka one event per transition with tenant `*` (key: the
 * endpoint); as a webhook one delivery per subscribed tenant (tenant = the subscriber). docs/events.md.
 */
export const notificationKsefAvailabilityChangedPayload = z.object({
  /** The sender's transition id: the same transition never yields two events (deduplicate on it across tenants). */
  transitionId: z.string().uuid(),
  endpoint: z.string().url(),
  from: ksefAvailabilityStateSchema.nullable(),
  to: ksefAvailabilityStateSchema,
  since: z.string().datetime({ offset: true }),
  cause: ksefAvailabilityCauseSchema,
  detail: z.string(),
  /** What this means for invoices sent through the bridge, in one sentence (English). */
  meaning: z.string().min(1),
  /** Texts for informing the tenant's customers, Polish and English (templates: docs/notifier.md). */
  customerMessages: z.object({ pl: customerMessageSchema, en: customerMessageSchema }),
});

export const notificationKsefAvailabilityChanged = defineMessage({
  type: 'notification.ksef-availability-changed',
  version: 1,
  topic: TOPICS.notificationKsefAvailabilityChanged,
  payload: notificationKsefAvailabilityChangedPayload,
});

export type NotificationKsefAvailabilityChanged = z.infer<typeof notificationKsefAvailabilityChangedPayload>;
