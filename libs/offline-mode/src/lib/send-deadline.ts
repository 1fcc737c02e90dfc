import { parseCalendarDate, type CalendarDate } from './calendar-date';
import { addBusinessDays, nextBusinessDay } from './polish-holidays';
import { endOfWarsawDay, warsawDateOf } from './warsaw-time';

/**
 * The offline modes of KSeF (API.md §11):
 * - `offline24`: the taxpayer's choice, any reason; send by the next business day after the issue date;
 * - `unavailability`: KSeF announced unavailable (BIP and the API); send by the next business day after it ends;
 * - `failure` (tryb awaryjny): an announced KSeF failure; send within 7 business days after it ends;
 * - `total-failure` (awaria całkowita, announced in mass media): no obligation to send at all.
 */
export const OFFLINE_MODES = ['offline24', 'unavailability', 'failure', 'total-failure'] as const;
export type OfflineMode = (typeof OFFLINE_MODES)[number];

/** Business days allowed after an announced failure ends (API.md §11). */
export const FAILURE_GRACE_BUSINESS_DAYS = 7;

/** An announced KSeF failure; `end` is absent while it lasts. */
export interface AnnouncedFailure {
  start: Date;
  end?: Date;
}

export type SendDeadlineInput =
  | { mode: 'offline24'; /** P_1, `YYYY-MM-DD` (or an instant, read as its day in Warsaw). */ issueDate: CalendarDate | Date; failures?: AnnouncedFailure[] }
  | { mode: 'unavailability'; /** Absent while KSeF is still unavailable. */ unavailabilityEnd?: Date; failures?: AnnouncedFailure[] }
  | { mode: 'failure'; /** Absent while the failure lasts. */ failureEnd?: Date; failures?: AnnouncedFailure[] }
  | { mode: 'total-failure' };

export type SendDeadline =
  /** The invoice must reach KSeF on `dueDate` (Warsaw) at the latest, i.e. strictly before `dueBy`. */
  | { kind: 'due'; mode: OfflineMode; dueDate: CalendarDate; dueBy: Date; basis: string; extendedByFailure: boolean }
  /** The period that starts the count has not ended yet (unavailability or failure still going on). */
  | { kind: 'pending'; mode: OfflineMode; basis: string }
  /** Total failure: invoices issued during it are not sent to KSeF. */
  | { kind: 'not-required'; mode: OfflineMode; basis: string };

function due(mode: OfflineMode, dueDate: CalendarDate, basis: string, extendedByFailure = false): SendDeadline {
  return { kind: 'due', mode, dueDate, dueBy: endOfWarsawDay(dueDate), basis, extendedByFailure };
}

function afterFailure(mode: OfflineMode, end: Date, extended: boolean): SendDeadline {
  const endDay = warsawDateOf(end);
  return due(mode, addBusinessDays(endDay, FAILURE_GRACE_BUSINESS_DAYS), `${FAILURE_GRACE_BUSINESS_DAYS} business days after the failure ended on ${endDay}`, extended);
}

/**
 * Applies announced failures: a failure that starts while the invoice may still be sent moves the deadline to
 * 7 business days after that failure ends (a later announcement within the new window restarts the count); an
 * ongoing one leaves the deadline pending. Failures starting after the deadline passed change nothing.
 */
function applyFailures(base: SendDeadline, failures: AnnouncedFailure[] | undefined): SendDeadline {
  let current = base;
  const ordered = [...(failures ?? [])].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (const failure of ordered) {
    if (current.kind !== 'due') break;
    if (Number.isNaN(failure.start.getTime())) throw new RangeError('a failure start is not a valid Date');
    if (failure.start.getTime() >= current.dueBy.getTime()) continue;
    if (!failure.end) return { kind: 'pending', mode: current.mode, basis: `an announced failure since ${failure.start.toISOString()} is still going on` };
    const moved = afterFailure(current.mode, failure.end, true);
    if (moved.kind === 'due' && moved.dueBy.getTime() > current.dueBy.getTime()) current = moved;
  }
  return current;
}

/** The per-invoice deadline to send an offline invoice to KSeF, in business days of the Polish calendar. */
export function sendDeadline(input: SendDeadlineInput): SendDeadline {
  switch (input.mode) {
    case 'offline24': {
      const issueDay = input.issueDate instanceof Date ? warsawDateOf(input.issueDate) : input.issueDate;
      parseCalendarDate(issueDay);
      return applyFailures(due('offline24', nextBusinessDay(issueDay), `next business day after the issue date ${issueDay}`), input.failures);
    }
    case 'unavailability': {
      if (!input.unavailabilityEnd) return { kind: 'pending', mode: 'unavailability', basis: 'KSeF unavailability has not ended yet' };
      const endDay = warsawDateOf(input.unavailabilityEnd);
      return applyFailures(due('unavailability', nextBusinessDay(endDay), `next business day after the unavailability ended on ${endDay}`), input.failures);
    }
    case 'failure': {
      if (!input.failureEnd) return { kind: 'pending', mode: 'failure', basis: 'the announced failure has not ended yet' };
      return applyFailures(afterFailure('failure', input.failureEnd, false), input.failures);
    }
    case 'total-failure':
      return { kind: 'not-required', mode: 'total-failure', basis: 'invoices issued during a total failure are not sent to KSeF' };
    default: {
      const mode: never = input;
      throw new RangeError(`unknown offline mode ${JSON.stringify(mode)}`);
    }
  }
}
