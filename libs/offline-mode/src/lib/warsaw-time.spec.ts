import { endOfWarsawDay, startOfWarsawDay, warsawDateOf } from './warsaw-time';

describe('Warsaw time', () => {
  it.each([
    ['2026-01-08T22:59:59Z', '2026-01-08', 'winter: 23:59:59 CET'],
    ['2026-01-08T23:00:00Z', '2026-01-09', 'winter: midnight CET is 23:00 UTC'],
    ['2026-07-01T21:59:59Z', '2026-07-01', 'summer: 23:59:59 CEST'],
    ['2026-07-01T22:00:00Z', '2026-07-02', 'summer: midnight CEST is 22:00 UTC'],
    ['2025-12-31T23:00:00Z', '2026-01-01', 'a new year starts an hour before UTC'],
  ])('%s is %s in Warsaw (%s)', (instant, date) => {
    expect(warsawDateOf(new Date(instant))).toBe(date);
  });

  it.each([
    ['2026-01-09', '2026-01-08T23:00:00.000Z'],
    ['2026-07-02', '2026-07-01T22:00:00.000Z'],
    ['2026-03-29', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z'],
    ['2026-10-26', '2026-10-25T23:00:00.000Z'],
  ])('%s starts at %s', (date, instant) => {
    expect(startOfWarsawDay(date).toISOString()).toBe(instant);
  });

  it('the day clocks go forward lasts 23 hours and the day they go back 25', () => {
    const hours = (d: string) => (endOfWarsawDay(d).getTime() - startOfWarsawDay(d).getTime()) / 3_600_000;
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2026-06-15')).toBe(24);
  });
});
