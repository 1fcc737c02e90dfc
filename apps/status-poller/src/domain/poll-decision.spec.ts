import { decideAfterUpoFetch, decideAfterVerdictPoll, decideAfterWatchedUpoFetch, decideAfterWatchPoll, type PollPolicy, type VerdictObservation } from './poll-decision';
import { backoffDelayMs, canTransition, DEFAULT_BACKOFF, POLL_STATES } from './poll-plan';

const policy: PollPolicy = { backoff: { delaysMs: [1_000, 2_000, 5_000, 15_000, 60_000], jitter: 0 }, verdictDeadlineMs: 3_600_000, upoWaitMs: 600_000, upoLateIntervalMs: 300_000, escalatedIntervalMs: 900_000, escalatedWatchMs: 7 * 86_400_000 };
const submittedAt = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(submittedAt.getTime() + seconds * 1000);
const plan = (polls = 0, processingEmitted = false) => ({ polls, submittedAt, processingEmitted });
const pending = (code = 150): VerdictObservation => ({ kind: 'verdict', verdict: { kind: 'pending', code, description: 'Trwa przetwarzanie' } });

describe('backoff', () => {
  it('walks the listed delays and stays at the last one (the cap)', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelayMs({ ...DEFAULT_BACKOFF, jitter: 0 }, n))).toEqual([1_000, 2_000, 5_000, 15_000, 60_000, 60_000, 60_000]);
  });
  it('jitters within ±jitter of the delay', () => {
    const b = { delaysMs: [10_000], jitter: 0.2 };
    expect(backoffDelayMs(b, 0, () => 0)).toBe(8_000);
    expect(backoffDelayMs(b, 1, () => 0.999999)).toBe(12_000);
    expect(backoffDelayMs(b, 1, () => 0.5)).toBe(10_000);
  });
});

describe('poll plan states', () => {
  it('allows only the listed transitions; final states stay final (an escalation only goes back to WAITING)', () => {
    expect(canTransition('WAITING', 'DONE')).toBe(true);
    expect(canTransition('UPO_LATE', 'DONE')).toBe(true);
    expect(canTransition('DONE', 'WAITING')).toBe(false);
    expect(canTransition('REJECTED', 'DONE')).toBe(false);
    expect(canTransition('UPO_LATE', 'REJECTED')).toBe(false);
    expect(canTransition('ESCALATED', 'WAITING')).toBe(true);
    for (const s of ['DONE', 'REJECTED'] as const) expect(POLL_STATES.filter((t) => t !== s && canTransition(s, t))).toEqual([]);
  });
  it('a watched escalation moves on with a late verdict (accepted, UPO pending or late, rejected)', () => {
    for (const t of ['UPO_WAITING', 'DONE', 'UPO_LATE', 'REJECTED'] as const) expect(canTransition('ESCALATED', t)).toBe(true);
  });
});

describe('after a poll of a watched escalation (KSEF_NO_VERDICT)', () => {
  const accepted: VerdictObservation = { kind: 'verdict', verdict: { kind: 'accepted', ksefNumber: '5265877635-20260101-0102030405AB-CD', duplicate: false, upoSessionReferenceNumber: 'S' } };
  it('a late acceptance or rejection is recorded', () => {
    expect(decideAfterWatchPoll(accepted, policy)).toEqual({ action: 'accept', verdict: (accepted as { verdict: unknown }).verdict });
    expect(decideAfterWatchPoll({ kind: 'verdict', verdict: { kind: 'rejected', code: 450, description: 'Błąd', details: [] } }, policy)).toMatchObject({ action: 'reject' });
  });
  it('still pending, not listed or failing: checked again at the slow cadence, never escalated again, no invoice.processing', () => {
    expect(decideAfterWatchPoll(pending(150), policy)).toEqual({ action: 'reschedule', delayMs: 900_000, countPoll: true, errorCode: 'KSEF_NO_VERDICT', statusCode: 150 });
    expect(decideAfterWatchPoll({ kind: 'not-found' }, policy)).toMatchObject({ action: 'reschedule', delayMs: 900_000, errorCode: 'KSEF_INVOICE_NOT_LISTED' });
    expect(decideAfterWatchPoll({ kind: 'failed', code: 'KSEF_UNAVAILABLE', message: 'x' }, policy)).toMatchObject({ action: 'reschedule', delayMs: 900_000, errorCode: 'KSEF_UNAVAILABLE' });
    expect(decideAfterWatchPoll({ kind: 'rate-limited', retryAfterMs: 2_000_000 }, policy)).toEqual({ action: 'reschedule', delayMs: 2_000_000, countPoll: false, errorCode: 'KSEF_RATE_LIMITED' });
    expect(decideAfterWatchPoll({ kind: 'verdict', verdict: { kind: 'cancelled', code: 550, description: 'x' } }, policy)).toMatchObject({ action: 'reschedule' });
  });
  it('a watched duplicate (KSEF_DUPLICATE_DATE_UNKNOWN): the UPO is stored when it comes, otherwise the slow cadence', () => {
    expect(decideAfterWatchedUpoFetch({ kind: 'upo', xml: '<x/>' }, policy)).toEqual({ action: 'store-upo', xml: '<x/>' });
    expect(decideAfterWatchedUpoFetch({ kind: 'failed', code: 'KSEF_UPO_NOT_FOUND', message: 'x' }, policy)).toEqual({ action: 'reschedule', delayMs: 900_000, countPoll: true, errorCode: 'KSEF_UPO_NOT_FOUND' });
    expect(decideAfterWatchedUpoFetch({ kind: 'invalid', problem: 'x' }, policy)).toMatchObject({ action: 'reschedule', errorCode: 'UPO_INVALID' });
    expect(decideAfterWatchedUpoFetch({ kind: 'rate-limited', retryAfterMs: 5_000 }, policy)).toEqual({ action: 'reschedule', delayMs: 900_000, countPoll: false, errorCode: 'KSEF_RATE_LIMITED' });
  });
});

describe('after a verdict poll', () => {
  it('pending: polls again with backoff and emits invoice.processing only the first time', () => {
    expect(decideAfterVerdictPoll(plan(0), pending(150), at(1), policy)).toEqual({ action: 'reschedule', delayMs: 2_000, countPoll: true, statusCode: 150, emitProcessing: { statusCode: 150, description: 'Trwa przetwarzanie' } });
    const later = decideAfterVerdictPoll(plan(3, true), pending(150), at(30), policy);
    expect(later).toMatchObject({ action: 'reschedule', delayMs: 60_000, countPoll: true });
    expect(later).not.toHaveProperty('emitProcessing.statusCode');
  });

  it('429: waits for Retry-After without counting a poll', () => {
    expect(decideAfterVerdictPoll(plan(2), { kind: 'rate-limited', retryAfterMs: 30_000 }, at(10), policy)).toEqual({ action: 'reschedule', delayMs: 30_000, countPoll: false, errorCode: 'KSEF_RATE_LIMITED' });
  });

  it('a failed call or an invoice not listed yet backs off and keeps the code', () => {
    expect(decideAfterVerdictPoll(plan(1), { kind: 'failed', code: 'KSEF_SERVER_ERROR', message: '503' }, at(5), policy)).toEqual({ action: 'reschedule', delayMs: 5_000, countPoll: true, errorCode: 'KSEF_SERVER_ERROR' });
    expect(decideAfterVerdictPoll(plan(0), { kind: 'not-found' }, at(1), policy)).toMatchObject({ action: 'reschedule', errorCode: 'KSEF_INVOICE_NOT_LISTED' });
  });

  it('past the verdict deadline without a final status: escalates KSEF_NO_VERDICT, whatever the last answer', () => {
    for (const o of [pending(), { kind: 'rate-limited', retryAfterMs: 1_000 } as const, { kind: 'failed', code: 'KSEF_TIMEOUT', message: 't' } as const, { kind: 'not-found' } as const]) {
      expect(decideAfterVerdictPoll(plan(40), o, at(3_600), policy)).toMatchObject({ action: 'escalate', code: 'KSEF_NO_VERDICT' });
    }
  });

  it('a final status decides even past the deadline', () => {
    const accepted = { kind: 'accepted', ksefNumber: '5265877635-20260101-0100001AF629-AF', duplicate: false, upoSessionReferenceNumber: 'SO-1' } as const;
    expect(decideAfterVerdictPoll(plan(40), { kind: 'verdict', verdict: accepted }, at(7_200), policy)).toEqual({ action: 'accept', verdict: accepted });
    const rejected = { kind: 'rejected' as const, code: 430, description: 'Błąd weryfikacji', details: ['x'] };
    expect(decideAfterVerdictPoll(plan(0), { kind: 'verdict', verdict: rejected }, at(1), policy)).toEqual({ action: 'reject', verdict: rejected });
  });

  it('not listed in a session past processing: escalates at once (a processed session lists everything; a failed one processed nothing)', () => {
    expect(decideAfterVerdictPoll(plan(0), { kind: 'session-final', code: 200, description: 'Przetworzono' }, at(1), policy)).toMatchObject({ action: 'escalate', code: 'KSEF_INVOICE_NOT_IN_SESSION' });
    expect(decideAfterVerdictPoll(plan(0), { kind: 'session-final', code: 435, description: 'Błąd odszyfrowania' }, at(1), policy)).toMatchObject({ action: 'escalate', code: 'KSEF_SESSION_FAILED', message: expect.stringContaining('435') });
  });

  it('550 cancelled and a 440 without the original number escalate (neither is a rejection)', () => {
    expect(decideAfterVerdictPoll(plan(0), { kind: 'verdict', verdict: { kind: 'cancelled', code: 550, description: 'Anulowano' } }, at(1), policy)).toMatchObject({ action: 'escalate', code: 'KSEF_PROCESSING_CANCELLED' });
    expect(decideAfterVerdictPoll(plan(0), { kind: 'verdict', verdict: { kind: 'duplicate-unresolved', description: 'Duplikat' } }, at(1), policy)).toMatchObject({ action: 'escalate', code: 'KSEF_DUPLICATE_UNRESOLVED' });
  });
});

describe('after a UPO fetch', () => {
  const acceptedAt = new Date('2026-01-01T10:00:00Z');
  const after = (seconds: number) => new Date(acceptedAt.getTime() + seconds * 1000);
  const notReady = { kind: 'failed', code: 'KSEF_UPO_NOT_READY', message: '21178' } as const;

  it('stores a valid UPO', () => {
    expect(decideAfterUpoFetch({ polls: 0, acceptedAt, late: false }, { kind: 'upo', xml: '<Potwierdzenie/>' }, after(0), policy)).toEqual({ action: 'store-upo', xml: '<Potwierdzenie/>' });
  });

  it('a missing or invalid UPO is fetched again with backoff within the UPO wait', () => {
    expect(decideAfterUpoFetch({ polls: 0, acceptedAt, late: false }, notReady, after(0), policy)).toEqual({ action: 'reschedule', delayMs: 1_000, countPoll: true, errorCode: 'KSEF_UPO_NOT_READY' });
    expect(decideAfterUpoFetch({ polls: 2, acceptedAt, late: false }, { kind: 'invalid', problem: 'schema' }, after(10), policy)).toMatchObject({ action: 'reschedule', delayMs: 5_000, errorCode: 'UPO_INVALID' });
  });

  it('past the UPO wait: announce the acceptance with upoPending, then fetch at the late interval', () => {
    expect(decideAfterUpoFetch({ polls: 9, acceptedAt, late: false }, notReady, after(600), policy)).toEqual({ action: 'upo-late', delayMs: 300_000, errorCode: 'KSEF_UPO_NOT_READY' });
    expect(decideAfterUpoFetch({ polls: 1, acceptedAt, late: true }, notReady, after(900), policy)).toEqual({ action: 'reschedule', delayMs: 300_000, countPoll: true, errorCode: 'KSEF_UPO_NOT_READY' });
    expect(decideAfterUpoFetch({ polls: 1, acceptedAt, late: true }, { kind: 'upo', xml: '<P/>' }, after(9_000), policy)).toEqual({ action: 'store-upo', xml: '<P/>' });
  });

  it('upoWaitMs 0 announces at once when the first fetch finds nothing', () => {
    expect(decideAfterUpoFetch({ polls: 0, acceptedAt, late: false }, notReady, after(0), { ...policy, upoWaitMs: 0 })).toMatchObject({ action: 'upo-late' });
  });

  it('429 on a UPO fetch waits for Retry-After without counting', () => {
    expect(decideAfterUpoFetch({ polls: 1, acceptedAt, late: false }, { kind: 'rate-limited', retryAfterMs: 4_000 }, after(5), policy)).toEqual({ action: 'reschedule', delayMs: 4_000, countPoll: false, errorCode: 'KSEF_RATE_LIMITED' });
  });
});
