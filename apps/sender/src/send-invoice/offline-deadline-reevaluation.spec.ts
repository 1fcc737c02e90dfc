import type { EntityManager } from 'typeorm';
import type { AnnouncedFailure } from '@ksef-bridge/offline-mode';
import { createLogger } from '@ksef-bridge/observability';
import { failuresFingerprint, LatarniaFeed } from '../availability/announced-failures';
import type { LatarniaMessage } from '../availability/latarnia-feed';
import { offlineDeadline, reevaluatedDeadline, type StoredDeadline } from './offline-deadline';
import { OfflineDeadlineSweep } from './offline-deadline-sweep';
import type { OfflineJobsRepository, ReevaluationStep } from './offline-jobs.repository';

const at = (iso: string) => new Date(iso);
const failure = (start: string, end?: string): AnnouncedFailure => ({ start: at(start), ...(end ? { end: at(end) } : {}) });

describe('offline deadline with announced failures', () => {
  it('offline24: a failure that began before the deadline moves it to 7 business days after its end, and says why', () => {
    // Issued Monday 2 March 2026 (due Tuesday 3 March); failure 3–4 March → 7 business days after Wednesday 4 March.
    const d = offlineDeadline({ mode: 'offline24', issueDate: '2026-03-02' }, undefined, [failure('2026-03-03T08:00:00Z', '2026-03-04T12:00:00Z')]);
    expect(d).toMatchObject({ kind: 'due', sendDeadline: at('2026-03-13T23:00:00.000Z') });
    expect(d.basis).toBe('7 business days after the failure ended on 2026-03-04 (failure announced by KSeF on Latarnia; without it: next business day after the issue date 2026-03-02)');
  });

  it('pending while the announced failure lasts; unchanged by a failure after the deadline or by none', () => {
    const ongoing = offlineDeadline({ mode: 'offline24', issueDate: '2026-03-02' }, undefined, [failure('2026-03-03T08:00:00Z')]);
    expect(ongoing).toMatchObject({ kind: 'pending', sendDeadline: null });
    expect(ongoing.basis).toContain('an announced failure since 2026-03-03T08:00:00.000Z is still going on');
    expect(ongoing.basis).toContain('failure announced by KSeF on Latarnia');
    // The deadline passed (Tuesday 3 March, Warsaw) before this failure began: nothing moves.
    const later = offlineDeadline({ mode: 'offline24', issueDate: '2026-03-02' }, undefined, [failure('2026-03-03T23:00:00Z', '2026-03-05T10:00:00Z')]);
    expect(later).toEqual(offlineDeadline({ mode: 'offline24', issueDate: '2026-03-02' }));
    expect(later).toMatchObject({ sendDeadline: at('2026-03-03T23:00:00.000Z'), basis: 'next business day after the issue date 2026-03-02' });
  });

  it('unavailability observed by the sender, then a failure announced within its window: counted from the failure', () => {
    const observed = { kind: 'ended' as const, since: at('2026-01-08T10:00:00Z'), endedAt: at('2026-01-09T09:00:00Z') };
    const d = offlineDeadline({ mode: 'unavailability', issueDate: '2026-01-08' }, observed, [failure('2026-01-12T08:00:00Z', '2026-01-13T09:00:00Z')]);
    // Due Monday 12 January without it; failure ended Tuesday 13 January → Thursday 22 January.
    expect(d).toMatchObject({ kind: 'due', sendDeadline: at('2026-01-22T23:00:00.000Z') });
    expect(d.basis).toContain('without it: next business day after the unavailability ended on 2026-01-09 (end observed by the sender');
    // While the sender's own observation lasts, the deadline is pending whatever was announced.
    expect(offlineDeadline({ mode: 'unavailability', issueDate: '2026-01-08' }, { kind: 'ongoing', since: at('2026-01-08T10:00:00Z') }, [failure('2026-01-08T08:00:00Z', '2026-01-08T09:00:00Z')])).toMatchObject({ kind: 'pending' });
  });

  it('a failure-mode invoice whose ERP period end is the announced failure itself keeps its deadline; total failure none', () => {
    const facts = { mode: 'failure' as const, issueDate: '2025-12-19', periodEndedAt: at('2025-12-22T12:00:00Z') };
    expect(offlineDeadline(facts, undefined, [failure('2025-12-19T08:00:00Z', '2025-12-22T12:00:00Z')])).toEqual(offlineDeadline(facts));
    expect(offlineDeadline({ mode: 'total-failure', issueDate: '2026-01-09' }, undefined, [failure('2026-01-09T08:00:00Z')])).toMatchObject({ kind: 'not-required' });
  });
});

describe('re-evaluation decision', () => {
  const due = (iso: string, basis = 'new'): StoredDeadline => ({ kind: 'due', sendDeadline: at(iso), basis });
  const pending = (basis = 'an announced failure since … is still going on'): StoredDeadline => ({ kind: 'pending', sendDeadline: null, basis });
  const current = (iso: string | null, basis = 'old') => ({ sendDeadline: iso ? at(iso) : null, basis });

  it.each([
    ['a due deadline moves later', current('2026-03-03T23:00:00Z'), due('2026-03-13T23:00:00Z'), true],
    ['never earlier (an event dropped from the feed, a revision)', current('2026-03-13T23:00:00Z'), due('2026-03-03T23:00:00Z'), false],
    ['the same instant is no change', current('2026-03-13T23:00:00Z'), due('2026-03-13T23:00:00Z'), false],
    ['a failure still going on makes a due deadline pending', current('2026-03-03T23:00:00Z'), pending(), true],
    ['a pending one takes the deadline the rules give now', current(null), due('2026-03-13T23:00:00Z'), true],
    ['a pending one with the same reason stays', current(null, 'same'), pending('same'), false],
    ['a pending one gets the new reason', current(null, 'KSeF unavailable as observed'), pending(), true],
    ['total failure never changes', current(null), { kind: 'not-required', sendDeadline: null, basis: 'x' } as StoredDeadline, false],
  ])('%s', (_name, stored, recomputed, replaced) => {
    expect(reevaluatedDeadline(stored, recomputed)).toEqual(replaced ? recomputed : undefined);
  });
});

describe('failure snapshot of the Latarnia feed', () => {
  const msg = (over: Partial<LatarniaMessage>): LatarniaMessage => ({ id: 'm1', eventId: 1, category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria', text: '', start: '2026-11-25T09:00:00Z', version: 1, ...over });
  const feed = (messages: LatarniaMessage[][]) => {
    let i = 0;
    return new LatarniaFeed('http://latarnia', 1_000, 5_000, async () => ({ ok: true, at: Date.now(), status: 'FAILURE', messages: messages[Math.min(i++, messages.length - 1)] as LatarniaMessage[], skipped: 0 }));
  };

  it('undefined before the first good read (unknown is not "no failures"); the fingerprint changes when the end is published', async () => {
    const f = feed([[msg({})], [msg({}), msg({ id: 'm2', type: 'FAILURE_END', end: '2026-11-25T11:00:00Z', version: 2 })], [msg({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', eventId: 5, id: 'm5' })]]);
    expect(f.failureSnapshot()).toBeUndefined();
    await f.refresh();
    const ongoing = f.failureSnapshot();
    expect(ongoing?.failures).toEqual([{ start: at('2026-11-25T09:00:00Z') }]);
    expect(ongoing?.fingerprint).toBe('2026-11-25T09:00:00.000Z/ongoing');
    await f.refresh();
    const ended = f.failureSnapshot();
    expect(ended?.fingerprint).toBe('2026-11-25T09:00:00.000Z/2026-11-25T11:00:00.000Z');
    // Maintenance is not a failure: a feed with only maintenance has none (but is known).
    await f.refresh();
    expect(f.failureSnapshot()).toMatchObject({ failures: [], fingerprint: '' });
    expect(failuresFingerprint([])).toBe('');
  });

  it('an unreadable feed keeps the last good list (a lost read does not un-announce a failure)', async () => {
    let ok = true;
    const f = new LatarniaFeed('http://latarnia', 1_000, 5_000, async () => (ok ? { ok: true, at: Date.now(), status: 'FAILURE', messages: [msg({})], skipped: 0 } : { ok: false, at: Date.now(), detail: 'down' }));
    await f.refresh();
    ok = false;
    await f.refresh();
    expect(f.failureSnapshot()?.fingerprint).toBe('2026-11-25T09:00:00.000Z/ongoing');
  });
});

describe('re-evaluation sweep', () => {
  /** An in-memory stand-in for the repository's two calls the sweep uses (the SQL side has its own int test). */
  function fakeOffline(ids: string[], follows = true) {
    let announced: { failures: AnnouncedFailure[]; fingerprint: string } | undefined;
    const calls: Array<{ fingerprint: string; afterId: string | undefined }> = [];
    const repo = {
      get followsAnnouncements() {
        return follows;
      },
      announcedFailures: () => announced,
      async reevaluate(_m: EntityManager, failures: AnnouncedFailure[], afterId: string | undefined, limit: number): Promise<ReevaluationStep> {
        calls.push({ fingerprint: failuresFingerprint(failures), afterId });
        const page = ids.filter((id) => afterId === undefined || id > afterId).slice(0, limit);
        return { examined: page.length, moved: page.length, lastId: page.at(-1) };
      },
    };
    return {
      repo: repo as unknown as OfflineJobsRepository,
      calls,
      announce(failures: AnnouncedFailure[] | undefined) {
        announced = failures && { failures, fingerprint: failuresFingerprint(failures) };
      },
    };
  }
  const logger = createLogger({ serviceName: 'sweep-test', level: 'silent' });
  const tx = <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager);
  const ids = ['a', 'b', 'c', 'd', 'e'];

  it('nothing while the feed is unknown or not configured; then bounded steps until all jobs were evaluated, and quiet after', async () => {
    const off = fakeOffline(ids, false);
    off.announce([]);
    expect(new OfflineDeadlineSweep(off.repo, 2, logger).wanted()).toBe(false);

    const f = fakeOffline(ids);
    const sweep = new OfflineDeadlineSweep(f.repo, 2, logger);
    expect(sweep.wanted()).toBe(false);
    expect(await sweep.step(tx)).toBeUndefined();
    f.announce([failure('2026-03-03T08:00:00Z')]);
    expect(sweep.wanted()).toBe(true);
    expect(await sweep.step(tx)).toMatchObject({ examined: 2, finished: false });
    expect(await sweep.step(tx)).toMatchObject({ examined: 2, finished: false });
    expect(await sweep.step(tx)).toMatchObject({ examined: 1, finished: true });
    expect(f.calls.map((c) => c.afterId)).toEqual([undefined, 'b', 'd']);
    // Unchanged list: no query at all.
    expect(sweep.wanted()).toBe(false);
    expect(await sweep.step(tx)).toBeUndefined();
    expect(f.calls).toHaveLength(3);
    // The end is published: a new sweep from the start.
    f.announce([failure('2026-03-03T08:00:00Z', '2026-03-04T12:00:00Z')]);
    expect(await sweep.step(tx)).toMatchObject({ fingerprint: '2026-03-03T08:00:00.000Z/2026-03-04T12:00:00.000Z', finished: false });
    expect(f.calls.at(-1)?.afterId).toBeUndefined();
  });

  it('a change during a sweep restarts it with the new list; a failed step is taken again', async () => {
    const f = fakeOffline(ids);
    const sweep = new OfflineDeadlineSweep(f.repo, 2, logger);
    f.announce([failure('2026-03-03T08:00:00Z')]);
    await sweep.step(tx);
    f.announce([failure('2026-03-03T08:00:00Z', '2026-03-04T12:00:00Z')]);
    await sweep.step(tx);
    expect(f.calls[1]).toEqual({ fingerprint: '2026-03-03T08:00:00.000Z/2026-03-04T12:00:00.000Z', afterId: undefined });
    await expect(sweep.step(() => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    await sweep.step(tx);
    expect(f.calls.at(-1)?.afterId).toBe('b');
  });
});
