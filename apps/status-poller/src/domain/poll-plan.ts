/**
 * The poll plan of one invoice, as a state machine (no Nest, TypeORM or Kafka here):
 *
 * - WAITING: KSeF has not given a verdict yet; polled with backoff until one arrives or the verdict deadline passes.
 * - UPO_WAITING: accepted (KSeF number known), its UPO not fetched yet; polled for the UPO until `upoWaitMs`.
 * - UPO_LATE: invoice.accepted went out with `upoPending: true`; the UPO is still fetched, at `upoLateIntervalMs`.
 * - DONE (accepted, UPO stored), REJECTED: final.
 * - ESCALATED: a person must look. A KSEF_NO_VERDICT (or KSEF_DUPLICATE_DATE_UNKNOWN) escalation stays WATCHED (`watch_until`): polled at
 *   `escalatedIntervalMs` for `escalatedWatchMs`, and a verdict that comes meanwhile is recorded and announced like any
 *   other (→ UPO_WAITING, DONE, UPO_LATE or REJECTED). ESCALATED → WAITING: an operator's re-queue.
 */
export const POLL_STATES = ['WAITING', 'UPO_WAITING', 'UPO_LATE', 'DONE', 'REJECTED', 'ESCALATED'] as const;
export type PollState = (typeof POLL_STATES)[number];

/** States the scheduler claims rows in. */
export const ACTIVE_POLL_STATES: readonly PollState[] = ['WAITING', 'UPO_WAITING', 'UPO_LATE'];

/** Every allowed change of state (mirrored in the database by a trigger; the migration keeps its own snapshot). */
export const POLL_TRANSITIONS: ReadonlyArray<readonly [PollState, PollState]> = [
  ['WAITING', 'UPO_WAITING'],
  ['WAITING', 'DONE'],
  ['WAITING', 'REJECTED'],
  ['WAITING', 'ESCALATED'],
  ['WAITING', 'UPO_LATE'],
  ['UPO_WAITING', 'DONE'],
  ['UPO_WAITING', 'UPO_LATE'],
  ['UPO_WAITING', 'ESCALATED'],
  ['UPO_LATE', 'DONE'],
  ['ESCALATED', 'WAITING'],
  // A late verdict for a watched escalation (issue #5 follow-up).
  ['ESCALATED', 'UPO_WAITING'],
  ['ESCALATED', 'DONE'],
  ['ESCALATED', 'UPO_LATE'],
  ['ESCALATED', 'REJECTED'],
];

/**
 * Escalations that stay watched: KSEF_NO_VERDICT (KSeF has the invoice, only its verdict did not come in time: the
 * status is polled) and KSEF_DUPLICATE_DATE_UNKNOWN (KSeF accepted it as a duplicate, but the original's UPO, which
 * gives the acquisition date, did not come within the UPO wait: the UPO is fetched).
 */
export const WATCHED_ESCALATION_CODES: ReadonlySet<string> = new Set(['KSEF_NO_VERDICT', 'KSEF_DUPLICATE_DATE_UNKNOWN']);

export function canTransition(from: PollState, to: PollState): boolean {
  return from === to || POLL_TRANSITIONS.some(([f, t]) => f === from && t === to);
}

/**
 * Backoff between polls of one row: the first poll waits `delaysMs[0]`, poll n+1 waits `delaysMs[n]`; past the end of the list the last delay repeats
 * (it is the cap). Jitter spreads each delay over `[d·(1−jitter), d·(1+jitter)]` so invoices sent in one burst are
 * not polled in one burst forever. Defaults (POLLER_BACKOFF_MS): 1 s, 2 s, 5 s, 15 s, then 60 s; jitter 0.2.
 */
export interface Backoff {
  delaysMs: readonly number[];
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { delaysMs: [1_000, 2_000, 5_000, 15_000, 60_000], jitter: 0.2 };

/** The delay before the next poll when `pollsMade` polls were made in the current phase (0: the first poll); `random` in [0, 1). */
export function backoffDelayMs(backoff: Backoff, pollsMade: number, random: () => number = Math.random): number {
  const { delaysMs } = backoff;
  const base = delaysMs[Math.min(Math.max(pollsMade, 0), delaysMs.length - 1)];
  return Math.max(0, Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random())));
}
