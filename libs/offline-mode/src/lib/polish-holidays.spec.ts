import { addDays } from './calendar-date';
import { addBusinessDays, easterSunday, isBusinessDay, isPolishPublicHoliday, nextBusinessDay, polishPublicHolidays } from './polish-holidays';

describe('Polish public holidays', () => {
  // Easter Sunday as published in church calendars (2038 is the latest possible date of the century, 2035 near the earliest).
  it.each([
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2035, '2035-03-25'],
    [2038, '2038-04-25'],
  ])('Easter %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('lists the 14 holidays of 2026 with the Easter-based ones in place', () => {
    expect(polishPublicHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01', '2026-01-06', '2026-04-05', '2026-04-06', '2026-05-01', '2026-05-03', '2026-05-24',
      '2026-06-04', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-24', '2026-12-25', '2026-12-26',
    ]);
  });

  it.each([
    ['2025-06-19', true, 'Corpus Christi 2025'],
    ['2024-05-30', true, 'Corpus Christi 2024'],
    ['2027-05-27', true, 'Corpus Christi 2027'],
    ['2025-04-21', true, 'Easter Monday 2025'],
    ['2026-05-24', true, 'Whit Sunday 2026'],
    ['2026-04-03', false, 'Good Friday is a working day'],
    ['2025-12-24', true, 'Christmas Eve is a holiday from 2025'],
    ['2024-12-24', false, 'but not in 2024'],
    ['2026-12-31', false, "New Year's Eve is a working day"],
  ])('%s holiday=%s (%s)', (date, expected) => {
    expect(isPolishPublicHoliday(date)).toBe(expected);
  });

  it.each([
    ['2026-03-06', true, 'a Friday'],
    ['2026-03-07', false, 'a Saturday'],
    ['2026-03-08', false, 'a Sunday'],
    ['2026-11-11', false, 'Independence Day on a Wednesday'],
    ['2026-08-14', true, 'the Friday before 15 August on a Saturday (no substitute day for business days)'],
  ])('%s business day=%s (%s)', (date, expected) => {
    expect(isBusinessDay(date)).toBe(expected);
  });

  it.each([
    [2024, 252],
    [2025, 251],
    [2026, 253],
  ])('%i has %i business days (weekdays minus holidays on weekdays)', (year, count) => {
    let n = 0;
    for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) if (isBusinessDay(d)) n += 1;
    expect(n).toBe(count);
  });

  it('nextBusinessDay is always the first business day after the date, across year boundaries', () => {
    for (let d = '2024-12-01'; d < '2027-02-01'; d = addDays(d, 1)) {
      const next = nextBusinessDay(d);
      expect(next > d).toBe(true);
      expect(isBusinessDay(next)).toBe(true);
      for (let between = addDays(d, 1); between < next; between = addDays(between, 1)) expect(isBusinessDay(between)).toBe(false);
    }
  });

  it('counts business days over Christmas, New Year and Epiphany', () => {
    // Tue 23 Dec 2025 (1), 24–26 holidays, weekend, 29 (2), 30 (3), 31 (4), 1 Jan holiday, 2 (5), 5 (6), 6 Jan holiday, 7 (7).
    expect(addBusinessDays('2025-12-22', 7)).toBe('2026-01-07');
  });

  it('refuses years outside the calendar and impossible dates', () => {
    expect(() => polishPublicHolidays(2010)).toThrow(RangeError);
    expect(() => isBusinessDay('2026-02-30')).toThrow(RangeError);
    expect(() => addBusinessDays('2026-03-02', 0)).toThrow(RangeError);
  });
});
