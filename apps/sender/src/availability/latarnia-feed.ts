import { z } from 'zod';

/** Latarnia's overall status (API.md §11); `UNKNOWN` is ours: the feed was missing or unreadable. */
export const LATARNIA_STATUSES = ['AVAILABLE', 'MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE', 'UNKNOWN'] as const;
export type LatarniaStatus = (typeof LATARNIA_STATUSES)[number];

const isoDateTime = z.string().datetime({ offset: true });

/** One published message (a version of an event) of `GET /messages`. */
export const latarniaMessageSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  eventId: z.number().int(),
  category: z.enum(['FAILURE', 'TOTAL_FAILURE', 'MAINTENANCE']),
  type: z.enum(['FAILURE_START', 'FAILURE_END', 'MAINTENANCE_ANNOUNCEMENT']),
  title: z.string(),
  text: z.string().optional().default(''),
  start: isoDateTime,
  end: isoDateTime.nullish(),
  version: z.number().int(),
  published: isoDateTime.optional(),
});
export type LatarniaMessage = z.infer<typeof latarniaMessageSchema>;

const statusSchema = z.object({ status: z.enum(['AVAILABLE', 'MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE']), messages: z.array(z.unknown()).nullish() });

/** The announcement behind a non-AVAILABLE status: the event's newest version in force. */
export interface Announcement {
  messageId: string;
  eventId: number;
  category: LatarniaMessage['category'];
  title: string;
  start: string;
  end?: string;
}

export type LatarniaReading =
  | { ok: true; at: number; status: Exclude<LatarniaStatus, 'UNKNOWN'>; announcement?: Announcement; messages: LatarniaMessage[]; skipped: number }
  | { ok: false; at: number; detail: string };

const SEVERITY: Record<LatarniaMessage['category'], number> = { TOTAL_FAILURE: 3, FAILURE: 2, MAINTENANCE: 1 };

/** The newest version of each event (by `version`, then `published`). */
export function latestVersions(messages: readonly LatarniaMessage[]): LatarniaMessage[] {
  const byEvent = new Map<number, LatarniaMessage>();
  for (const m of messages) {
    const seen = byEvent.get(m.eventId);
    if (!seen || m.version > seen.version || (m.version === seen.version && (m.published ?? '') > (seen.published ?? ''))) byEvent.set(m.eventId, m);
  }
  return [...byEvent.values()];
}

/** The most severe event in force at `now` (start ≤ now, no end or now < end), newest versions only. */
export function announcementInForce(messages: readonly LatarniaMessage[], now: number): Announcement | undefined {
  const inForce = latestVersions(messages)
    .filter((m) => Date.parse(m.start) <= now && (!m.end || now < Date.parse(m.end)))
    .sort((a, b) => SEVERITY[b.category] - SEVERITY[a.category] || Date.parse(b.start) - Date.parse(a.start));
  const m = inForce[0];
  return m ? { messageId: m.id, eventId: m.eventId, category: m.category, title: m.title.slice(0, 200), start: m.start, ...(m.end ? { end: m.end } : {}) } : undefined;
}

/**
 * Parses the two answers of the feed. The status must be one of Latarnia's four, else the reading is unreadable (an
 * unknown status is never taken for AVAILABLE); messages that do not match the published shape are skipped and
 * counted (one odd message does not hide the others). A non-AVAILABLE status names the announcement behind it.
 */
export function parseLatarnia(statusBody: unknown, messagesBody: unknown, now: number): LatarniaReading {
  const status = statusSchema.safeParse(statusBody);
  if (!status.success) return { ok: false, at: now, detail: `GET /status: unexpected answer (${status.error.issues[0]?.message ?? 'invalid'})` };
  if (!Array.isArray(messagesBody)) return { ok: false, at: now, detail: 'GET /messages: not a list' };
  const messages: LatarniaMessage[] = [];
  let skipped = 0;
  for (const raw of [...messagesBody, ...(status.data.messages ?? [])]) {
    const parsed = latarniaMessageSchema.safeParse(raw);
    if (parsed.success) messages.push(parsed.data);
    else skipped += 1;
  }
  const unique = [...new Map(messages.map((m) => [`${m.eventId}:${m.version}:${m.id}`, m])).values()];
  const announcement = status.data.status === 'AVAILABLE' ? undefined : announcementInForce(unique, now);
  return { ok: true, at: now, status: status.data.status, ...(announcement ? { announcement } : {}), messages: unique, skipped };
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('not JSON');
  }
}

/**
 * Reads KSeF's announced-failure feed (`GET {baseUrl}/status` and `GET {baseUrl}/messages`; public, no token). Any
 * failure (connection, timeout, a status other than 200, a body that is not the feed's) is an unreadable reading,
 * which the caller reports as UNKNOWN, never as AVAILABLE (API.md §11).
 */
export async function readLatarnia(baseUrl: string, timeoutMs: number, now: () => number = Date.now): Promise<LatarniaReading> {
  const base = baseUrl.replace(/\/+$/, '');
  let path = '/status';
  try {
    const statusBody = await getJson(`${base}/status`, timeoutMs);
    path = '/messages';
    const messagesBody = await getJson(`${base}/messages`, timeoutMs);
    return parseLatarnia(statusBody, messagesBody, now());
  } catch (err) {
    const why = err instanceof Error ? (err.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : ((err as { cause?: { code?: string } }).cause?.code ?? err.message)) : String(err);
    return { ok: false, at: now(), detail: `GET ${path}: ${why}` };
  }
}
