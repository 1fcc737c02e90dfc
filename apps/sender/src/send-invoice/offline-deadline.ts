import { deadlineStatus, sendDeadline, startOfWarsawDay, warsawDateOf, type DeadlineState, type OfflineMode, type SendDeadline } from '@ksef-bridge/offline-mode';

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

function periodDeadline(mode: 'unavailability' | 'failure', end: Date | undefined): SendDeadline {
  return mode === 'unavailability' ? sendDeadline({ mode, unavailabilityEnd: end }) : sendDeadline({ mode, failureEnd: end });
}

const stored = (deadline: SendDeadline, source: string): StoredDeadline => ({
  kind: deadline.kind,
  sendDeadline: deadline.kind === 'due' ? deadline.dueBy : null,
  basis: source ? `${deadline.basis} (${source})` : deadline.basis,
});

/**
 * The legal send deadline of an offline invoice (API.md §11, `@ksef-bridge/offline-mode`):
 * - offline24: from the issue date;
 * - unavailability / failure: from the ERP's `periodEndedAt`; without it from the end of the unavailability the sender
 *   observed on the issue day (pending while it lasts); when the sender observed none, from the issue date: the
 *   period the invoice was issued in cannot have ended earlier, so this is the earliest possible deadline, never a
 *   later one than the law's;
 * - total-failure: none (not required).
 */
export function offlineDeadline(facts: OfflineFacts, observed: ObservedOutage = { kind: 'none' }): StoredDeadline {
  switch (facts.mode) {
    case 'offline24':
      return stored(sendDeadline({ mode: 'offline24', issueDate: facts.issueDate }), '');
    case 'total-failure':
      return stored(sendDeadline({ mode: 'total-failure' }), '');
    case 'unavailability':
    case 'failure': {
      if (facts.periodEndedAt) return stored(periodDeadline(facts.mode, facts.periodEndedAt), `period end ${facts.periodEndedAt.toISOString()} given by the ERP`);
      if (observed.kind === 'ongoing') return stored(periodDeadline(facts.mode, undefined), `KSeF unavailable as observed by the sender since ${observed.since.toISOString()}`);
      if (observed.kind === 'ended') return stored(periodDeadline(facts.mode, observed.endedAt), `end observed by the sender: KSeF available again at ${observed.endedAt.toISOString()}`);
      return stored(periodDeadline(facts.mode, startOfWarsawDay(facts.issueDate)), `no unavailability observed by the sender on the issue date ${facts.issueDate}: counted from that day, the earliest possible end`);
    }
    default: {
      const mode: never = facts.mode;
      throw new RangeError(`unknown offline mode ${String(mode)}`);
    }
  }
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
