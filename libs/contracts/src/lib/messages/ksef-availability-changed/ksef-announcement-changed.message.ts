import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { ksefAnnouncedSchema, ksefAvailabilityStateSchema } from './ksef-availability-changed.message';

/**
 * sender → notifier: what KSeF ANNOUNCES on Latarnia (API.md §11) changed while the sender's own observation of the
 * endpoint (`state`) stayed the same: the Ministry announced a failure or maintenance, published its end, or the feed
 * became unreadable (UNKNOWN) or readable again. Which legal offline mode applies depends on that announcement, so
 * tenants must hear of it even while our probe still gets answers.
 *
 * Its own type and topic, not `ksef-availability.changed` with `from === to`: that v1 promises `from !== to`, and
 * its `cause` enum is shared with the PUBLIC `notification.ksef-availability-changed` v1, where a new value of a closed
 * enum is a breaking change (docs/events.md "Versioning"); a notifier that does not know this type never subscribes
 * its topic, so a rolling deploy dead-letters nothing. A state transition that coincides with a new announcement is
 * ONE `ksef-availability.changed` carrying the new `announced`, never both. Key: the endpoint. Tenant `*`.
 */
export const ksefAnnouncementChangedPayload = z.object({
  /** The sender's history row opened by this change (one event per row). */
  changeId: z.string().uuid(),
  endpoint: z.string().url(),
  /** The sender's own observation, unchanged by this event. */
  state: ksefAvailabilityStateSchema,
  /** When the sender recorded the new announcement. */
  since: z.string().datetime({ offset: true }),
  /** The announcement recorded before; null when the sender had recorded none (the feed was not read). */
  previous: ksefAnnouncedSchema.nullable(),
  announced: ksefAnnouncedSchema,
  /** Short, safe detail, e.g. `Latarnia: FAILURE "Awaria KSeF" from 2026-11-25T13:00:00Z`. */
  detail: z.string().max(500),
});

export const ksefAnnouncementChanged = defineMessage({
  type: 'ksef-availability.announcement-changed',
  version: 1,
  topic: TOPICS.ksefAvailabilityAnnouncementChanged,
  payload: ksefAnnouncementChangedPayload,
});

export type KsefAnnouncementChanged = z.infer<typeof ksefAnnouncementChangedPayload>;
