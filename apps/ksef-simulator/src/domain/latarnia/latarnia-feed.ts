/**
 * Latarnia KSeF ("lighthouse"): KSeF's public feed of announced unavailability (API.md §11). An announcement is an
 * event (`eventId`) published in versions: a failure starts with FAILURE_START and is closed by a FAILURE_END version
 * carrying `end`; a maintenance window is a MAINTENANCE_ANNOUNCEMENT whose later versions may move or set `end`.
 * Which legal offline mode applies depends on this feed, so its status is derived, never stored.
 */
export const LATARNIA_CATEGORIES = ['FAILURE', 'TOTAL_FAILURE', 'MAINTENANCE'] as const;
export const LATARNIA_TYPES = ['FAILURE_START', 'FAILURE_END', 'MAINTENANCE_ANNOUNCEMENT'] as const;
export type LatarniaCategory = (typeof LATARNIA_CATEGORIES)[number];
export type LatarniaType = (typeof LATARNIA_TYPES)[number];
export type LatarniaStatus = 'AVAILABLE' | 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE';

export interface LatarniaMessage {
  id: string;
  eventId: number;
  category: LatarniaCategory;
  type: LatarniaType;
  title: string;
  text: string;
  /** ISO 8601 (UTC). */
  start: string;
  end?: string;
  version: number;
  published: string;
}

/** A type is allowed only with its own category: failures start and end, maintenance is announced. */
export function typeFitsCategory(category: LatarniaCategory, type: LatarniaType): boolean {
  return category === 'MAINTENANCE' ? type === 'MAINTENANCE_ANNOUNCEMENT' : type !== 'MAINTENANCE_ANNOUNCEMENT';
}

/** The newest version of every event. */
export function latestVersions(messages: LatarniaMessage[]): LatarniaMessage[] {
  const latest = new Map<number, LatarniaMessage>();
  for (const m of messages) {
    const seen = latest.get(m.eventId);
    if (!seen || m.version > seen.version) latest.set(m.eventId, m);
  }
  return [...latest.values()];
}

/** An event is in force from `start` until `end` (exclusive); no `end` yet means it is still going on. */
export function isOngoing(message: LatarniaMessage, nowMs: number): boolean {
  return Date.parse(message.start) <= nowMs && (message.end === undefined || nowMs < Date.parse(message.end));
}

const SEVERITY: Record<LatarniaStatus, number> = { AVAILABLE: 0, MAINTENANCE: 1, FAILURE: 2, TOTAL_FAILURE: 3 };

/** The feed's status at `nowMs`: the most severe event in force (TOTAL_FAILURE > FAILURE > MAINTENANCE), with its messages. */
export function deriveStatus(messages: LatarniaMessage[], nowMs: number): { status: LatarniaStatus; messages: LatarniaMessage[] } {
  const ongoing = latestVersions(messages).filter((m) => isOngoing(m, nowMs));
  let status: LatarniaStatus = 'AVAILABLE';
  for (const m of ongoing) if (SEVERITY[m.category] > SEVERITY[status]) status = m.category;
  ongoing.sort((a, b) => SEVERITY[b.category] - SEVERITY[a.category] || Date.parse(b.start) - Date.parse(a.start));
  return { status, messages: ongoing };
}
