import {
  ALLOWED_TRANSITIONS,
  INVOICE_STATE_LABELS_PL,
  INVOICE_STATES,
  IllegalTransitionError,
  allowedTransitionPairs,
  assertTransition,
  canTransition,
  isFinalState,
  isInvoiceState,
  type InvoiceState,
} from './invoice-state';

describe('invoice state machine', () => {
  it('labels every state in Polish, with the wording of the issue for the KSeF states', () => {
    expect(Object.keys(INVOICE_STATE_LABELS_PL).sort()).toEqual([...INVOICE_STATES].sort());
    expect(INVOICE_STATE_LABELS_PL.QUEUED).toBe('oczekuje wysyłki');
    expect(INVOICE_STATE_LABELS_PL.SENT).toBe('wysłana');
    expect(INVOICE_STATE_LABELS_PL.PROCESSING).toBe('w trakcie przetwarzania');
    expect(INVOICE_STATE_LABELS_PL.ACCEPTED).toBe('przyjęta');
    expect(INVOICE_STATE_LABELS_PL.REJECTED).toBe('odrzucona logicznie');
    expect(INVOICE_STATE_LABELS_PL.TECHNICAL_ERROR).toBe('błąd techniczny');
  });

  it('only names known states as targets and never loops on itself', () => {
    for (const [from, targets] of Object.entries(ALLOWED_TRANSITIONS)) {
      for (const to of targets) {
        expect(INVOICE_STATES).toContain(to);
        expect(to).not.toBe(from);
      }
    }
  });

  it('walks the happy path', () => {
    const path: InvoiceState[] = ['RECEIVED', 'QUEUED', 'SENT', 'PROCESSING', 'ACCEPTED'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it('refuses skipping validation, leaving a final state and going backwards', () => {
    expect(canTransition('RECEIVED', 'SENT')).toBe(false);
    expect(canTransition('ACCEPTED', 'REJECTED')).toBe(false);
    expect(canTransition('INVALID', 'QUEUED')).toBe(false);
    expect(canTransition('PROCESSING', 'SENT')).toBe(false);
    expect(() => assertTransition('ACCEPTED', 'QUEUED')).toThrow(IllegalTransitionError);
    try {
      assertTransition('REJECTED', 'ACCEPTED');
    } catch (error) {
      expect((error as IllegalTransitionError).code).toBe('ILLEGAL_STATE_TRANSITION');
      expect((error as IllegalTransitionError).retriable).toBe(false);
    }
    expect.assertions(5 + 2);
  });

  it('has exactly four final states, and every other state can reach one', () => {
    expect(INVOICE_STATES.filter(isFinalState).sort()).toEqual(['ACCEPTED', 'CANCELLED', 'INVALID', 'REJECTED']);
    for (const start of INVOICE_STATES) {
      const seen = new Set<InvoiceState>([start]);
      const queue = [start];
      while (queue.length) {
        for (const next of ALLOWED_TRANSITIONS[queue.shift()!]) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      expect([...seen].some(isFinalState)).toBe(true);
    }
  });

  it('only KSeF verdicts and the retry leave ESCALATED; only an acceptance leaves CANCELLED (issue #5)', () => {
    expect([...ALLOWED_TRANSITIONS.ESCALATED].sort()).toEqual(['ACCEPTED', 'CANCELLED', 'OFFLINE', 'QUEUED', 'REJECTED']);
    expect(ALLOWED_TRANSITIONS.CANCELLED).toEqual(['ACCEPTED']);
    expect(canTransition('CANCELLED', 'REJECTED')).toBe(false);
    expect(canTransition('CANCELLED', 'QUEUED')).toBe(false);
    for (const final of ['ACCEPTED', 'REJECTED', 'INVALID'] as const) expect(ALLOWED_TRANSITIONS[final]).toEqual([]);
  });

  it('lists the pairs for the database constraint', () => {
    const pairs = allowedTransitionPairs();
    expect(pairs).toContainEqual(['RECEIVED', 'QUEUED']);
    expect(pairs).toHaveLength(Object.values(ALLOWED_TRANSITIONS).reduce((n, t) => n + t.length, 0));
  });

  it('recognises state names', () => {
    expect(isInvoiceState('QUEUED')).toBe(true);
    expect(isInvoiceState('queued')).toBe(false);
  });
});
