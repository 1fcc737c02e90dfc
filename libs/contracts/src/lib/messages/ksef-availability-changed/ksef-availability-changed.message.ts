import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';

/** What the sender sees of one KSeF endpoint: answering, answering badly, or not answering (confirmed). */
export const KSEF_AVAILABILITY_STATES = ['AVAILABLE', 'DEGRADED', 'UNAVAILABLE'] as const;
export const ksefAvailabilityStateSchema = z.enum(KSEF_AVAILABILITY_STATES);
export type KsefAvailabilityState = z.infer<typeof ksefAvailabilityStateSchema>;

/**
 * Why a transition happened: `CIRCUIT_OPEN` (the sender's breaker stayed open), `HEALTH_PROBE_FAILED` (the periodic
 * unauthenticated probe failed), `RECOVERED` (KSeF answered again for long enough), `FIRST_OBSERVATION` (no state was
 * recorded for this endpoint before).
 */
export const ksefAvailabilityCauseSchema = z.enum(['CIRCUIT_OPEN', 'HEALTH_PROBE_FAILED', 'RECOVERED', 'FIRST_OBSERVATION']);
export type KsefAvailabilityCause = z.infer<typeof ksefAvailabilityCauseSchema>;

/** KSeF's announced status on Latarnia (API.md §11); UNKNOWN: the feed is missing or unreadable (never AVAILABLE). */
export const KSEF_ANNOUNCED_STATUSES = ['AVAILABLE', 'MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE', 'UNKNOWN'] as const;

/** What KSeF announces (Latarnia): the status and the announcement in force behind a non-AVAILABLE status. */
export const ksefAnnouncedSchema = z.object({
  status: z.enum(KSEF_ANNOUNCED_STATUSES),
  /** The announcement in force behind a non-AVAILABLE status (the newest version of the most severe event). */
  messageId: z.string().max(100).optional(),
  eventId: z.number().int().optional(),
  title: z.string().max(200).optional(),
  start: z.string().datetime({ offset: true }).optional(),
  end: z.string().datetime({ offset: true }).optional(),
});
export type KsefAnnounced = z.infer<typeof ksefAnnouncedSchema>;

/**
 * sender → notifier (and operators): one KSeF endpoint changed its availability state. Key: the endpoint (its
 * events stay in order). Tenant `*`: it concerns every tenant. One per transition (`transitionId`, the sender's
 * history row). docs/events.md, docs/sender.md "KSeF availability".
 */
export const ksefAvailabilityChangedPayload = z.object({
  transitionId: z.string().uuid(),
  /** KSeF API base URL the sender instance talks to, e.g. `https://api.ksef.mf.gov.pl/v2`. */
  endpoint: z.string().url(),
  /** Null for the first state ever recorded for this endpoint. */
  from: ksefAvailabilityStateSchema.nullable(),
  to: ksefAvailabilityStateSchema,
  /** When the new state began (the first failure for a confirmed outage, the first success for a recovery). */
  since: z.string().datetime({ offset: true }),
  cause: ksefAvailabilityCauseSchema,
  /** Short, safe detail, e.g. `circuit open for 61 s` or `GET /security/public-key-certificates: HTTP 503`. */
  detail: z.string().max(500),
  /**
   * Optional (added in v1, compatible): what KSeF itself announces on its Latarnia feed (API.md §11) at this
   * transition, next to the sender's own observation in `to`. `UNKNOWN`: the feed was missing or unreadable (never
   * read as AVAILABLE). Absent when the sender does not read the feed. A change of the announcement ALONE (`to`
   * unchanged) is not this event (`from` never equals `to`): it is `ksef-availability.announcement-changed` on its
   * own topic (ksef-announcement-changed.message.ts, docs/events.md "Internal availability events").
   */
  announced: ksefAnnouncedSchema.optional(),
});

export const ksefAvailabilityChanged = defineMessage({
  type: 'ksef-availability.changed',
  version: 1,
  topic: TOPICS.ksefAvailabilityChanged,
  payload: ksefAvailabilityChangedPayload,
});

export type KsefAvailabilityChanged = z.infer<typeof ksefAvailabilityChangedPayload>;
