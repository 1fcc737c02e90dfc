import { DEFAULT_WARN_BEFORE_MS } from '@ksef-bridge/offline-mode';
import { needsObservedOutage, offlineDeadline, storedDeadlineState } from './offline-deadline';
import { byDeadlineThenAge, type SendJob } from './send-job.repository';

const at = (iso: string) => new Date(iso);

describe('offline send deadline of a send job', () => {
  it('offline24 counts from the issue date (Easter Monday 2026 skipped)', () => {
    expect(offlineDeadline({ mode: 'offline24', issueDate: '2026-04-03' })).toEqual({
      kind: 'due',
      sendDeadline: at('2026-04-07T22:00:00.000Z'),
      basis: 'next business day after the issue date 2026-04-03',
    });
  });

  it('the ERP-given period end wins over anything the sender observed', () => {
    const d = offlineDeadline({ mode: 'unavailability', issueDate: '2026-01-08', periodEndedAt: at('2026-01-08T23:30:00Z') }, { kind: 'ongoing', since: at('2026-01-08T10:00:00Z') });
    // 23:30 UTC on 8 January is Friday 9 January in Warsaw: next business day Monday 12 January.
    expect(d).toMatchObject({ kind: 'due', sendDeadline: at('2026-01-12T23:00:00.000Z') });
    expect(d.basis).toContain('given by the ERP');
    const failure = offlineDeadline({ mode: 'failure', issueDate: '2025-12-19', periodEndedAt: at('2025-12-22T12:00:00Z') });
    expect(failure).toMatchObject({ kind: 'due', sendDeadline: at('2026-01-07T23:00:00.000Z') });
  });

  it('without a period end: pending while the unavailability the sender observed lasts, then from its end', () => {
    const facts = { mode: 'unavailability' as const, issueDate: '2026-01-08' };
    expect(needsObservedOutage(facts)).toBe(true);
    expect(offlineDeadline(facts, { kind: 'ongoing', since: at('2026-01-08T10:00:00Z') })).toMatchObject({ kind: 'pending', sendDeadline: null });
    const ended = offlineDeadline(facts, { kind: 'ended', since: at('2026-01-08T10:00:00Z'), endedAt: at('2026-01-13T09:00:00Z') });
    expect(ended).toMatchObject({ kind: 'due', sendDeadline: at('2026-01-14T23:00:00.000Z') });
    expect(ended.basis).toContain('observed by the sender');
    // A failure: 7 business days after the observed end (Tuesday 13 January → Thursday 22 January).
    expect(offlineDeadline({ mode: 'failure', issueDate: '2026-01-08' }, { kind: 'ended', since: at('2026-01-08T10:00:00Z'), endedAt: at('2026-01-13T09:00:00Z') })).toMatchObject({
      sendDeadline: at('2026-01-22T23:00:00.000Z'),
    });
  });

  it('no unavailability observed: counted from the issue date, the earliest possible end (never later than the law)', () => {
    const d = offlineDeadline({ mode: 'unavailability', issueDate: '2026-01-09' }, { kind: 'none' });
    expect(d).toMatchObject({ kind: 'due', sendDeadline: at('2026-01-12T23:00:00.000Z') });
    expect(d.basis).toContain('no unavailability observed');
  });

  it('total failure has no deadline; offline24 and a given period end need no history', () => {
    expect(offlineDeadline({ mode: 'total-failure', issueDate: '2026-01-09' })).toMatchObject({ kind: 'not-required', sendDeadline: null });
    expect(needsObservedOutage({ mode: 'offline24' })).toBe(false);
    expect(needsObservedOutage({ mode: 'failure', periodEndedAt: at('2026-01-09T10:00:00Z') })).toBe(false);
    expect(needsObservedOutage({ mode: 'total-failure' })).toBe(false);
  });

  it('an issue date outside the supported calendar is refused', () => {
    expect(() => offlineDeadline({ mode: 'offline24', issueDate: '1999-01-04' })).toThrow(RangeError);
  });
});

describe('deadline state of a stored deadline', () => {
  const deadline = at('2026-01-12T23:00:00Z');
  it('on-time, due-soon within the warning window, overdue once passed', () => {
    expect(storedDeadlineState('offline24', deadline, at('2026-01-12T10:00:00Z'), DEFAULT_WARN_BEFORE_MS)).toBe('on-time');
    expect(storedDeadlineState('offline24', deadline, at('2026-01-12T19:00:00Z'), DEFAULT_WARN_BEFORE_MS)).toBe('due-soon');
    expect(storedDeadlineState('offline24', deadline, at('2026-01-12T23:00:00Z'), DEFAULT_WARN_BEFORE_MS)).toBe('overdue');
    expect(storedDeadlineState('offline24', deadline, at('2026-01-12T10:00:00Z'), 24 * 3_600_000)).toBe('due-soon');
  });
  it('pending without a deadline, not-required for total failure', () => {
    expect(storedDeadlineState('unavailability', null, at('2026-01-12T10:00:00Z'), DEFAULT_WARN_BEFORE_MS)).toBe('pending');
    expect(storedDeadlineState('total-failure', null, at('2026-01-12T10:00:00Z'), DEFAULT_WARN_BEFORE_MS)).toBe('not-required');
  });
});

describe('drain order', () => {
  const j = (id: string, createdAt: string, sendDeadline: string | null, offlineMode: SendJob['offlineMode'] = sendDeadline ? 'offline24' : null) =>
    ({ invoiceId: id, createdAt: at(createdAt), sendDeadline: sendDeadline ? at(sendDeadline) : null, offlineMode }) as SendJob;
  it('earliest deadline first, then offline invoices with a pending deadline, online ones last, ties by age', () => {
    const jobs = [
      j('online-old', '2026-01-01T00:00:00Z', null),
      j('late', '2026-01-05T00:00:00Z', '2026-01-14T23:00:00Z'),
      j('soon-young', '2026-01-06T00:00:00Z', '2026-01-12T23:00:00Z'),
      j('soon-old', '2026-01-04T00:00:00Z', '2026-01-12T23:00:00Z'),
      j('online-young', '2026-01-07T00:00:00Z', null),
      j('pending-young', '2026-01-08T00:00:00Z', null, 'unavailability'),
    ];
    expect([...jobs].sort(byDeadlineThenAge).map((x) => x.invoiceId)).toEqual(['soon-old', 'soon-young', 'late', 'pending-young', 'online-old', 'online-young']);
  });
});
