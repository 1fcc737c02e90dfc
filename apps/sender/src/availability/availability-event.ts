import { ksefAnnouncementChanged, ksefAvailabilityChanged, type Envelope, type KsefAnnounced, type KsefAnnouncementChanged, type KsefAvailabilityChanged, type KsefAvailabilityState } from '@ksef-bridge/contracts';
import { newEnvelope } from '@ksef-bridge/outbox';

/** KSeF's own announcement (Latarnia) as recorded with a period; see the event's `announced`. */
export type AnnouncedAvailability = KsefAnnounced;

/** Identity of an announced state: a status change or another announcement (message) is a change. */
export const announcedKey = (a: AnnouncedAvailability | null | undefined): string | null => (a ? `${a.status}:${a.messageId ?? ''}` : null);

/** Where the availability events go: state transitions and announcement-only changes have their own topics. */
export interface AvailabilityTopics {
  /** `ksef-availability.changed`. */
  state: string;
  /** `ksef-availability.announcement-changed`. */
  announcement: string;
}

/** The history row just written, as the event needs it. */
export interface RecordedChange {
  id: string;
  endpoint: string;
  from: KsefAvailabilityState | null;
  to: KsefAvailabilityState;
  since: string;
  cause: KsefAvailabilityChanged['cause'];
  detail: string;
  /** What Latarnia announces now; undefined when the feed is not read. */
  announced?: AnnouncedAvailability;
  /** The announcement of the period this row ends (null: none recorded). */
  previousAnnounced: AnnouncedAvailability | null;
}

/**
 * Which event a history row publishes: a change of the sender's own state is `ksef-availability.changed` (with the
 * announcement in force, new or not); the same state with another announcement (status or message, incl. the feed
 * turning UNKNOWN) is `ksef-availability.announcement-changed`; anything else (a row that changes neither, which the
 * monitor does not write) publishes nothing. Never both for one row: a transition already carries `announced`.
 */
export function availabilityEventKind(c: Pick<RecordedChange, 'from' | 'to' | 'announced' | 'previousAnnounced'>): 'state' | 'announcement' | 'none' {
  if (c.from !== c.to) return 'state';
  if (c.announced !== undefined && announcedKey(c.announced) !== announcedKey(c.previousAnnounced)) return 'announcement';
  return 'none';
}

/** The outbox message of a history row, or undefined when it publishes nothing. Key: the endpoint; tenant `*`. */
export function availabilityEvent(c: RecordedChange, topics: AvailabilityTopics): { topic: string; envelope: Envelope } | undefined {
  const aggregateId = c.endpoint.slice(0, 200);
  const detail = c.detail.slice(0, 500);
  switch (availabilityEventKind(c)) {
    case 'state': {
      const payload: KsefAvailabilityChanged = { transitionId: c.id, endpoint: c.endpoint, from: c.from, to: c.to, since: c.since, cause: c.cause, detail, ...(c.announced ? { announced: c.announced } : {}) };
      return { topic: topics.state, envelope: newEnvelope({ type: ksefAvailabilityChanged.type, version: ksefAvailabilityChanged.version, aggregateId, tenant: '*', payload }) };
    }
    case 'announcement': {
      const payload: KsefAnnouncementChanged = { changeId: c.id, endpoint: c.endpoint, state: c.to, since: c.since, previous: c.previousAnnounced, announced: c.announced as AnnouncedAvailability, detail };
      return { topic: topics.announcement, envelope: newEnvelope({ type: ksefAnnouncementChanged.type, version: ksefAnnouncementChanged.version, aggregateId, tenant: '*', payload }) };
    }
    case 'none':
      return undefined;
  }
}
