import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { ksefAnnouncedSchema, ksefAvailabilityStateSchema } from '../ksef-availability-changed/ksef-availability-changed.message';

/** A ready-to-send text for the tenant's own customers, rendered from the notifier's templates. */
const customerMessageSchema = z.object({ subject: z.string().min(1), body: z.string().min(1) });

/**
 * The legal mode the announcement points to (API.md §11, ustawa o VAT): `OFFLINE` (unavailability / maintenance
 * announced: send by the next business day after it ends), `EMERGENCY` (failure announced, tryb awaryjny: within 7
 * business days after it ends), `TOTAL_FAILURE` (announced in the mass media: invoices are not sent later), `NONE`
 * (nothing announced: only offline24 remains), `UNKNOWN` (the feed is unreadable: check the Ministry's pages).
 */
export const KSEF_ANNOUNCED_MODES = ['NONE', 'OFFLINE', 'EMERGENCY', 'TOTAL_FAILURE', 'UNKNOWN'] as const;
export const ksefAnnouncedModeSchema = z.enum(KSEF_ANNOUNCED_MODES);
export type KsefAnnouncedMode = z.infer<typeof ksefAnnouncedModeSchema>;

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: what the Ministry of Finance announces about KSeF
 * (Latarnia) changed while this bridge's own observation (`state`) did not. A new type (not a new `cause` of
 * `notification.ksef-availability-changed` v1, whose enum is closed): docs/events.md. On Kafka one event per change
 * with tenant `*` (key: the endpoint); as a webhook one delivery per subscribed tenant.
 */
export const notificationKsefAnnouncementChangedPayload = z.object({
  /** The sender's change id: the same change never yields two events (deduplicate on it across tenants). */
  changeId: z.string().uuid(),
  endpoint: z.string().url(),
  /** The bridge's own observation of KSeF, unchanged by this event. */
  state: ksefAvailabilityStateSchema,
  since: z.string().datetime({ offset: true }),
  previous: ksefAnnouncedSchema.nullable(),
  announced: ksefAnnouncedSchema,
  /** Which legal offline mode the announcement points to. */
  mode: ksefAnnouncedModeSchema,
  detail: z.string(),
  /** What this means for invoices, in one sentence (English). */
  meaning: z.string().min(1),
  /** Texts for informing the tenant's customers, Polish and English (templates: docs/notifier.md). */
  customerMessages: z.object({ pl: customerMessageSchema, en: customerMessageSchema }),
});

export const notificationKsefAnnouncementChanged = defineMessage({
  type: 'notification.ksef-announcement-changed',
  version: 1,
  topic: TOPICS.notificationKsefAnnouncementChanged,
  payload: notificationKsefAnnouncementChangedPayload,
});

export type NotificationKsefAnnouncementChanged = z.infer<typeof notificationKsefAnnouncementChangedPayload>;
