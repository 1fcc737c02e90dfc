import { addDays, calendarDate, parseCalendarDate, type CalendarDate } from './calendar-date';

/** KSeF deadlines are Polish legal days: a day starts and ends at midnight in Europe/Warsaw (CET/CEST). */
export const WARSAW_TIME_ZONE = 'Europe/Warsaw';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: WARSAW_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function wallClock(instant: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
  const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of parts.formatToParts(instant)) if (part.type in p) p[part.type as keyof typeof p] = Number(part.value);
  return p;
}

/** The calendar day in Warsaw on which `instant` falls (e.g. 2026-01-08T23:30Z is 2026-01-09 there). */
export function warsawDateOf(instant: Date): CalendarDate {
  const w = wallClock(instant);
  return calendarDate(w.year, w.month, w.day);
}

/** Offset of Warsaw from UTC at `instant`, in milliseconds (+1 h in winter, +2 h in summer). */
function warsawOffsetMs(instant: Date): number {
  const w = wallClock(instant);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which `date` begins in Warsaw (its local midnight). Poland changes clocks at 02:00/03:00 local
 * time, so midnight always exists exactly once; the offset is taken at midnight itself, found in two steps.
 */
export function startOfWarsawDay(date: CalendarDate): Date {
  const { year, month, day } = parseCalendarDate(date);
  const naive = Date.UTC(year, month - 1, day);
  const first = naive - warsawOffsetMs(new Date(naive));
  return new Date(naive - warsawOffsetMs(new Date(first)));
}

/** The first instant after `date` in Warsaw: a deadline "by the end of `date`" is met strictly before it. */
export function endOfWarsawDay(date: CalendarDate): Date {
  return startOfWarsawDay(addDays(date, 1));
}
