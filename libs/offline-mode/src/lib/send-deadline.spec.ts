import { deadlineStatus } from './deadline-status';
import { sendDeadline, type SendDeadline } from './send-deadline';

const at = (iso: string) => new Date(iso);
function dueOf(deadline: SendDeadline): { dueDate: string; dueBy: string; extended: boolean } {
  if (deadline.kind !== 'due') throw new Error(`expected a due deadline, got ${deadline.kind}`);
  return { dueDate: deadline.dueDate, dueBy: deadline.dueBy.toISOString(), extended: deadline.extendedByFailure };
}

describe('sendDeadline', () => {
  describe('offline24: by the end of the next business day after the issue date', () => {
    it.each([
      ['2026-03-02', '2026-03-03', '2026-03-03T23:00:00.000Z', 'Monday → Tuesday'],
      ['2026-03-06', '2026-03-09', '2026-03-09T23:00:00.000Z', 'Friday → Monday'],
      ['2026-03-07', '2026-03-09', '2026-03-09T23:00:00.000Z', 'Saturday → Monday'],
      ['2026-04-03', '2026-04-07', '2026-04-07T22:00:00.000Z', 'Good Friday → Tuesday after Easter Monday'],
      ['2026-06-03', '2026-06-05', '2026-06-05T22:00:00.000Z', 'Wednesday → Friday after Corpus Christi'],
      ['2025-12-23', '2025-12-29', '2025-12-29T23:00:00.000Z', 'Christmas 2025 with Christmas Eve a holiday'],
      ['2024-12-23', '2024-12-24', '2024-12-24T23:00:00.000Z', 'Christmas Eve 2024 still a business day'],
      ['2025-12-31', '2026-01-02', '2026-01-02T23:00:00.000Z', "New Year's Eve → 2 January"],
      ['2026-12-31', '2027-01-04', '2027-01-04T23:00:00.000Z', "New Year's Day on a Friday → Monday"],
      ['2027-01-05', '2027-01-07', '2027-01-07T23:00:00.000Z', 'Epiphany skipped'],
      ['2026-04-30', '2026-05-04', '2026-05-04T22:00:00.000Z', '1 May and a weekend skipped'],
      ['2026-11-10', '2026-11-12', '2026-11-12T23:00:00.000Z', 'Independence Day skipped'],
      ['2025-08-14', '2025-08-18', '2025-08-18T22:00:00.000Z', 'Assumption on a Friday'],
      ['2026-03-27', '2026-03-30', '2026-03-30T22:00:00.000Z', 'across the spring DST change (deadline in CEST)'],
      ['2026-10-23', '2026-10-26', '2026-10-26T23:00:00.000Z', 'across the autumn DST change (deadline in CET)'],
    ])('issued %s → due %s (before %s): %s', (issueDate, dueDate, dueBy) => {
      expect(dueOf(sendDeadline({ mode: 'offline24', issueDate }))).toEqual({ dueDate, dueBy, extended: false });
    });

    it('reads an issue instant as its day in Warsaw, not in UTC', () => {
      // 2026-01-08T23:30Z is Friday 9 January 00:30 in Warsaw: due Monday, not Friday.
      expect(dueOf(sendDeadline({ mode: 'offline24', issueDate: at('2026-01-08T23:30:00Z') })).dueDate).toBe('2026-01-12');
      expect(dueOf(sendDeadline({ mode: 'offline24', issueDate: at('2026-01-08T22:30:00Z') })).dueDate).toBe('2026-01-09');
    });

    it('refuses an impossible issue date', () => {
      expect(() => sendDeadline({ mode: 'offline24', issueDate: '2026-02-29' })).toThrow(RangeError);
    });
  });

  describe('unavailability: by the end of the next business day after it ends', () => {
    it.each([
      ['2026-01-08T23:30:00Z', '2026-01-12', 'ends Friday 00:30 in Warsaw (still Thursday in UTC)'],
      ['2026-01-08T21:30:00Z', '2026-01-09', 'ends Thursday 22:30 in Warsaw'],
      ['2026-03-28T22:30:00Z', '2026-03-30', 'ends Saturday night before the DST change'],
      ['2025-12-31T23:30:00Z', '2026-01-02', "ends on New Year's Day 00:30"],
    ])('ending %s → due %s (%s)', (end, dueDate) => {
      expect(dueOf(sendDeadline({ mode: 'unavailability', unavailabilityEnd: at(end) })).dueDate).toBe(dueDate);
    });

    it('is pending while KSeF is still unavailable', () => {
      expect(sendDeadline({ mode: 'unavailability' })).toMatchObject({ kind: 'pending', mode: 'unavailability' });
    });
  });

  describe('failure: within 7 business days after it ends', () => {
    it.each([
      ['2026-03-02T10:00:00Z', '2026-03-11', '2026-03-11T23:00:00.000Z', 'plain weeks'],
      ['2025-12-22T12:00:00Z', '2026-01-07', '2026-01-07T23:00:00.000Z', 'Christmas, New Year and Epiphany skipped'],
      ['2026-03-31T10:00:00Z', '2026-04-10', '2026-04-10T22:00:00.000Z', 'Easter Monday skipped, deadline in CEST'],
    ])('ending %s → due %s (before %s): %s', (end, dueDate, dueBy) => {
      expect(dueOf(sendDeadline({ mode: 'failure', failureEnd: at(end) }))).toEqual({ dueDate, dueBy, extended: false });
    });

    it('is pending while the failure lasts', () => {
      expect(sendDeadline({ mode: 'failure' })).toMatchObject({ kind: 'pending' });
    });

    it('a new announcement restarts the count', () => {
      const deadline = sendDeadline({ mode: 'failure', failureEnd: at('2026-03-02T10:00:00Z'), failures: [{ start: at('2026-03-10T08:00:00Z'), end: at('2026-03-10T09:00:00Z') }] });
      expect(dueOf(deadline)).toMatchObject({ dueDate: '2026-03-19', extended: true });
    });
  });

  describe('an announced failure during offline24 or unavailability', () => {
    const base = { mode: 'offline24' as const, issueDate: '2026-03-02' };

    it('moves the deadline to 7 business days after the failure ends', () => {
      const deadline = sendDeadline({ ...base, failures: [{ start: at('2026-03-03T08:00:00Z'), end: at('2026-03-04T12:00:00Z') }] });
      expect(dueOf(deadline)).toEqual({ dueDate: '2026-03-13', dueBy: '2026-03-13T23:00:00.000Z', extended: true });
    });

    it('leaves the deadline pending while that failure lasts', () => {
      expect(sendDeadline({ ...base, failures: [{ start: at('2026-03-03T08:00:00Z') }] })).toMatchObject({ kind: 'pending', mode: 'offline24' });
    });

    it('changes nothing when the failure starts after the deadline passed', () => {
      const deadline = sendDeadline({ ...base, failures: [{ start: at('2026-03-03T23:00:00Z'), end: at('2026-03-05T10:00:00Z') }] });
      expect(dueOf(deadline)).toMatchObject({ dueDate: '2026-03-03', extended: false });
    });

    it('chains: a second failure inside the extended window extends it again, whatever the input order', () => {
      const failures = [
        { start: at('2026-03-12T08:00:00Z'), end: at('2026-03-12T20:00:00Z') },
        { start: at('2026-03-03T08:00:00Z'), end: at('2026-03-04T12:00:00Z') },
      ];
      expect(dueOf(sendDeadline({ ...base, failures })).dueDate).toBe('2026-03-23');
    });

    it('applies to unavailability too', () => {
      const deadline = sendDeadline({ mode: 'unavailability', unavailabilityEnd: at('2026-03-02T10:00:00Z'), failures: [{ start: at('2026-03-03T08:00:00Z'), end: at('2026-03-04T12:00:00Z') }] });
      expect(dueOf(deadline).dueDate).toBe('2026-03-13');
    });
  });

  it('total failure: no obligation to send', () => {
    expect(sendDeadline({ mode: 'total-failure' })).toMatchObject({ kind: 'not-required' });
  });
});

describe('deadlineStatus', () => {
  const deadline = sendDeadline({ mode: 'offline24', issueDate: '2026-03-02' }); // due before 2026-03-03T23:00Z

  it.each([
    ['2026-03-03T10:00:00Z', 'on-time', 13 * 3600],
    ['2026-03-03T20:00:00Z', 'due-soon', 3 * 3600],
    ['2026-03-03T23:00:00Z', 'overdue', 0],
    ['2026-03-04T01:00:00Z', 'overdue', -2 * 3600],
  ])('at %s it is %s with %i s left', (now, state, secondsLeft) => {
    expect(deadlineStatus(deadline, at(now))).toEqual({ state, secondsLeft });
  });

  it('uses the given warning window', () => {
    expect(deadlineStatus(deadline, at('2026-03-03T10:00:00Z'), 24 * 3_600_000).state).toBe('due-soon');
  });

  it('reports pending and not-required deadlines without seconds', () => {
    expect(deadlineStatus(sendDeadline({ mode: 'failure' }), at('2026-03-03T10:00:00Z'))).toEqual({ state: 'pending' });
    expect(deadlineStatus(sendDeadline({ mode: 'total-failure' }), at('2026-03-03T10:00:00Z'))).toEqual({ state: 'not-required' });
  });
});
