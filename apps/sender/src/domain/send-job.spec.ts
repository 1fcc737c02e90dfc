import { SEND_JOB_TRANSITIONS_1764200000000 } from '../infrastructure/migrations/1764200000000-sender.migration';
import { canTransition, decideAfterFailure, SEND_JOB_STATES, SEND_JOB_TRANSITIONS, type FailureFacts } from './send-job';

const delay = (failed: number) => failed * 1000;

describe('send job state machine', () => {
  it('moves QUEUED → SENDING → SENT/REJECTED/ESCALATED, and SENDING back to QUEUED for a retry', () => {
    expect(canTransition('QUEUED', 'SENDING')).toBe(true);
    for (const to of ['SENT', 'REJECTED', 'ESCALATED', 'QUEUED'] as const) expect(canTransition('SENDING', to)).toBe(true);
    expect(canTransition('QUEUED', 'SENT')).toBe(false);
    expect(canTransition('SENT', 'QUEUED')).toBe(false);
    expect(canTransition('REJECTED', 'SENDING')).toBe(false);
    expect(canTransition('ESCALATED', 'QUEUED')).toBe(true);
  });

  it('the database guard (newest migration snapshot) allows exactly the same pairs', () => {
    expect(SEND_JOB_TRANSITIONS_1764200000000.map(([f, t]) => `${f}>${t}`).sort()).toEqual(SEND_JOB_TRANSITIONS.map(([f, t]) => `${f}>${t}`).sort());
    for (const [f, t] of SEND_JOB_TRANSITIONS) expect(SEND_JOB_STATES).toEqual(expect.arrayContaining([f, t]));
  });
});

describe('decision after a failed attempt', () => {
  const f = (over: Partial<FailureFacts>): FailureFacts => ({ outcome: 'transport', retriable: true, code: 'KSEF_CONNECTION_FAILED', ...over });

  it('retries transport failures with the backoff of the attempts made', () => {
    expect(decideAfterFailure(f({}), 1, delay, 5)).toEqual({ action: 'retry', counted: true, delayMs: 1000, reconcile: false });
    expect(decideAfterFailure(f({}), 3, delay, 5)).toEqual({ action: 'retry', counted: true, delayMs: 3000, reconcile: false });
  });

  it('reconciles before re-sending after an ambiguous send', () => {
    expect(decideAfterFailure(f({ outcome: 'ambiguous', code: 'KSEF_OUTCOME_UNKNOWN' }), 1, delay, 5)).toMatchObject({ action: 'retry', reconcile: true });
  });

  it('waits Retry-After on 429 without burning an attempt, even at the limit', () => {
    expect(decideAfterFailure(f({ outcome: 'rate-limited', retryAfterMs: 7000 }), 5, delay, 5)).toEqual({ action: 'retry', counted: false, delayMs: 7000, reconcile: false });
  });

  it('does not retry a logical rejection', () => {
    expect(decideAfterFailure(f({ outcome: 'rejected', retriable: false, code: 'KSEF_REQUEST_REJECTED' }), 1, delay, 5)).toEqual({ action: 'reject' });
  });

  it('escalates at once what waiting cannot fix, and when the attempts run out', () => {
    expect(decideAfterFailure(f({ outcome: 'auth', retriable: false, code: 'KSEF_FORBIDDEN' }), 1, delay, 5)).toEqual({ action: 'escalate', code: 'KSEF_FORBIDDEN' });
    expect(decideAfterFailure(f({ outcome: 'error', retriable: false, code: 'CLAIM_CHECK_MISMATCH' }), 1, delay, 5)).toEqual({ action: 'escalate', code: 'CLAIM_CHECK_MISMATCH' });
    expect(decideAfterFailure(f({}), 5, delay, 5)).toEqual({ action: 'escalate', code: 'ATTEMPTS_EXHAUSTED' });
    expect(decideAfterFailure(f({ outcome: 'ambiguous' }), 5, delay, 5)).toEqual({ action: 'escalate', code: 'OUTCOME_UNKNOWN_ATTEMPTS_EXHAUSTED' });
  });
});
