import type { SendDeadline } from './send-deadline';

/** Default warning window before a deadline passes (4 h): enough for an operator to react within a working day. */
export const DEFAULT_WARN_BEFORE_MS = 4 * 3_600_000;

export type DeadlineState = 'on-time' | 'due-soon' | 'overdue' | 'pending' | 'not-required';

export interface DeadlineStatus {
  state: DeadlineState;
  /** Seconds until `dueBy` (negative once overdue); only for a `due` deadline. */
  secondsLeft?: number;
}

/**
 * Where an unsent offline invoice stands against its deadline at `now`: the input of a regulatory metric (seconds
 * left per invoice) and of its alert (`due-soon` within `warnBeforeMs`, `overdue` once `dueBy` has passed).
 */
export function deadlineStatus(deadline: SendDeadline, now: Date, warnBeforeMs = DEFAULT_WARN_BEFORE_MS): DeadlineStatus {
  if (deadline.kind !== 'due') return { state: deadline.kind };
  const leftMs = deadline.dueBy.getTime() - now.getTime();
  const secondsLeft = Math.floor(leftMs / 1000);
  if (leftMs <= 0) return { state: 'overdue', secondsLeft };
  return { state: leftMs <= warnBeforeMs ? 'due-soon' : 'on-time', secondsLeft };
}
