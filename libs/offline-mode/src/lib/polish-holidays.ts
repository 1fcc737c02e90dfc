import { addDays, calendarDate, parseCalendarDate, weekday, type CalendarDate } from './calendar-date';

/**
 * Polish public holidays (ustawa z 18 stycznia 1951 r. o dniach wolnych od pracy, art. 1 pkt 1). Epiphany (6 January)
 * is a holiday again since 2011 and Christmas Eve (24 December) since 2025; earlier years had other rules, so the
 * calendar refuses them rather than answer wrongly.
 */
export const FIRST_SUPPORTED_YEAR = 2011;
export const LAST_SUPPORTED_YEAR = 2199;

export interface PublicHoliday {
  date: CalendarDate;
  namePl: string;
}

/** Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher). */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return calendarDate(year, month, day);
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new RangeError(`the Polish holiday calendar covers ${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR}, not ${year}`);
  }
}

const cache = new Map<number, PublicHoliday[]>();

/** Every public holiday of `year`, in date order. */
export function polishPublicHolidays(year: number): PublicHoliday[] {
  checkYear(year);
  const cached = cache.get(year);
  if (cached) return cached;
  const fixed = (month: number, day: number, namePl: string): PublicHoliday => ({ date: calendarDate(year, month, day), namePl });
  const easter = easterSunday(year);
  const holidays: PublicHoliday[] = [
    fixed(1, 1, 'Nowy Rok'),
    fixed(1, 6, 'Święto Trzech Króli'),
    { date: easter, namePl: 'Wielkanoc' },
    { date: addDays(easter, 1), namePl: 'Poniedziałek Wielkanocny' },
    fixed(5, 1, 'Święto Pracy'),
    fixed(5, 3, 'Święto Konstytucji 3 Maja'),
    { date: addDays(easter, 49), namePl: 'Zielone Świątki (Zesłanie Ducha Świętego)' },
    { date: addDays(easter, 60), namePl: 'Boże Ciało' },
    fixed(8, 15, 'Wniebowzięcie Najświętszej Maryi Panny'),
    fixed(11, 1, 'Wszystkich Świętych'),
    fixed(11, 11, 'Narodowe Święto Niepodległości'),
    ...(year >= 2025 ? [fixed(12, 24, 'Wigilia Bożego Narodzenia')] : []),
    fixed(12, 25, 'Boże Narodzenie (pierwszy dzień)'),
    fixed(12, 26, 'Boże Narodzenie (drugi dzień)'),
  ].sort((x, y) => x.date.localeCompare(y.date));
  cache.set(year, holidays);
  return holidays;
}

export function isPolishPublicHoliday(date: CalendarDate): boolean {
  return polishPublicHolidays(parseCalendarDate(date).year).some((h) => h.date === date);
}

/** A business day (dzień roboczy): Monday to Friday and not a public holiday. */
export function isBusinessDay(date: CalendarDate): boolean {
  const day = weekday(date);
  return day !== 0 && day !== 6 && !isPolishPublicHoliday(date);
}

/** The `n`-th business day after `date` (n ≥ 1); `date` itself never counts. */
export function addBusinessDays(date: CalendarDate, n: number): CalendarDate {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  let current = date;
  let counted = 0;
  while (counted < n) {
    current = addDays(current, 1);
    if (isBusinessDay(current)) counted += 1;
  }
  return current;
}

/** The first business day after `date`. */
export function nextBusinessDay(date: CalendarDate): CalendarDate {
  return addBusinessDays(date, 1);
}
