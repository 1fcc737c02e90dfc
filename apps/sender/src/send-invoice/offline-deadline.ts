import { deadlineStatus, sendDeadline, startOfWarsawDay, warsawDateOf, type AnnouncedFailure, type DeadlineState, type OfflineMode, type SendDeadline } from '@ksef-bridge/offline-mode';

/** What `invoice.validated` says about an offline invoice (contract: `offline`, plus P_1). */
export interface OfflineFacts {
  mode: OfflineMode;
  /** P_1, `YYYY-MM-DD`. */
  issueDate: string;
  /** End of the unavailability or failure, when the ERP knows it. */
  periodEndedAt?: Date | null;
}

/**
 * The KSeF unavailability the sender itself recorded (`ksef_availability`) on the invoice's issue day: none, still
 * going on, or ended (KSeF AVAILABLE again at `endedAt`).
 */
export type ObservedOutage = { kind: 'none' } | { kind: 'ongoing'; since: Date } | { kind: 'ended'; since: Date; endedAt: Date };

/** The deadline as a send job stores it: `sendDeadline` is `dueBy` (exclusive), NULL when pending or not required. */
export interface StoredDeadline {
  kind: SendDeadline['kind'];
  sendDeadline: Date | null;
  basis: string;
}

/** Modes whose deadline counts from the end of a period (unavailability, failure) rather than from the issue date. */
export const PERIOD_MODES: readonly OfflineMode[] = ['unavailability', 'failure'];

/** True when the deadline depends on the sender's own availability history (no `periodEndedAt` from the ERP). */
export function needsObservedOutage(facts: Pick<OfflineFacts, 'mode' | 'periodEndedAt'>): boolean {
  return PERIOD_MODES.includes(facts.mode) && !facts.periodEndedAt;
}

function periodDeadline(mode: 'unavailability' | 'failure', end: Date | undefined, failures: AnnouncedFailure[] = []): SendDeadline {
  return mode === 'unavailability' ? sendDeadline({ mode, unavailabilityEnd: end, failures }) : sendDeadline({ mode, failureEnd: end, failures });
}

const stored = (deadline: SendDeadline, source: string): StoredDeadline => ({
  kind: deadline.kind,
  sendDeadline: deadline.kind === 'due' ? deadline.dueBy : null,
  basis: source ? `${deadline.basis} (${source})` : deadline.basis,
});

/** The deadline of `facts` from the rule `compute` applies, with and without the announced failures. */
function withFailures(compute: (failures: AnnouncedFailure[]) => SendDeadline, source: string, failures: AnnouncedFailure[]): StoredDeadline {
  const base = compute([]);
  if (base.kind !== 'due' || failures.length === 0) return stored(base, source);
  // sendDeadline's result as is: it moves the deadline only for a failure that began before it passed, only later.
  const moved = compute(failures);
  if (moved.kind === 'due' && !moved.extendedByFailure) return stored(moved, source);
  // The operator sees why: the failure's rule first, the rule it replaced after it.
  return stored(moved, `failure announced by KSeF on Latarnia; without it: ${stored(base, source).basis}`);
}

/**
 * The legal send deadline of an offline invoice (API.md §11, `@ksef-bridge/offline-mode`):
 * - offline24: from the issue date;
 * - unavailability / failure: from the ERP's `periodEndedAt`; without it from the end of the unavailability the sender
 *   observed on the issue day (pending while it lasts); when the sender observed none, from the issue date: the
 *   period the invoice was issued in cannot have ended earlier, so this is the earliest possible deadline, never a
 *   later one than the law's;
 * - total-failure: none (not required).
 * `failures` are the failures KSeF announced (Latarnia, `LatarniaFeed.failureSnapshot`): one that began before the
 * deadline passed moves it to 7 business days after its end, and leaves it pending while it lasts.
 */
export function offlineDeadline(facts: OfflineFacts, observed: ObservedOutage = { kind: 'none' }, failures: AnnouncedFailure[] = []): StoredDeadline {
  switch (facts.mode) {
    case 'offline24':
      return withFailures((f) => sendDeadline({ mode: 'offline24', issueDate: facts.issueDate, failures: f }), '', failures);
    case 'total-failure':
      return stored(sendDeadline({ mode: 'total-failure' }), '');
    case 'unavailability':
    case 'failure': {
      const mode = facts.mode;
      if (facts.periodEndedAt) {
        const end = facts.periodEndedAt;
        return withFailures((f) => periodDeadline(mode, end, f), `period end ${end.toISOString()} given by the ERP`, failures);
      }
      // While the period itself lasts the deadline is pending whatever was announced: it has no start to move from.
      if (observed.kind === 'ongoing') return stored(periodDeadline(mode, undefined), `KSeF unavailable as observed by the sender since ${observed.since.toISOString()}`);
      if (observed.kind === 'ended') return withFailures((f) => periodDeadline(mode, observed.endedAt, f), `end observed by the sender: KSeF available again at ${observed.endedAt.toISOString()}`, failures);
      return withFailures((f) => periodDeadline(mode, startOfWarsawDay(facts.issueDate), f), `no unavailability observed by the sender on the issue date ${facts.issueDate}: counted from that day, the earliest possible end`, failures);
    }
    default: {
      const mode: never = facts.mode;
      throw new RangeError(`unknown offline mode ${String(mode)}`);
    }
  }
}

/** A send job's stored deadline as the re-evaluation reads it. */
export interface CurrentDeadline {
  sendDeadline: Date | null;
  basis: string | null;
}

/**
 * Whether a re-evaluation (announced failures changed) replaces a stored deadline, and with what; undefined keeps it.
 * A deadline only moves later through a failure: a due one is replaced by a later one or by pending (a failure that
 * began before it passed is still going on), never by an earlier one (Latarnia dropping an old event from its feed,
 * or a revision, must not make an invoice overdue after the fact). A pending one (its period, or an announced
 * failure, had not ended) takes whatever the rules give now, since it had no deadline to move. Not-required (total
 * failure) never changes.
 */
export function reevaluatedDeadline(current: CurrentDeadline, recomputed: StoredDeadline): StoredDeadline | undefined {
  if (recomputed.kind === 'not-required') return undefined;
  if (current.sendDeadline === null) {
    if (recomputed.kind === 'pending' && recomputed.basis === current.basis) return undefined;
    return recomputed;
  }
  if (recomputed.kind === 'pending') return recomputed;
  return (recomputed.sendDeadline as Date).getTime() > current.sendDeadline.getTime() ? recomputed : undefined;
}

/** The states the regulatory gauge reports, in its label order. */
export const OFFLINE_DEADLINE_STATES: readonly DeadlineState[] = ['on-time', 'due-soon', 'overdue', 'pending', 'not-required'];

/** Where an unsent offline job stands against its stored deadline at `now` (`deadlineStatus` of libs/offline-mode). */
export function storedDeadlineState(mode: OfflineMode, deadline: Date | null, now: Date, warnBeforeMs: number): DeadlineState {
  if (mode === 'total-failure') return 'not-required';
  if (!deadline) return 'pending';
  const due: SendDeadline = { kind: 'due', mode, dueDate: warsawDateOf(new Date(deadline.getTime() - 1)), dueBy: deadline, basis: 'stored', extendedByFailure: false };
  return deadlineStatus(due, now, warnBeforeMs).state;
}
