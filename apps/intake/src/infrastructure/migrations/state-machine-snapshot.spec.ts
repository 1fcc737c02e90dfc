import { INVOICE_STATES as CONTRACT_STATES } from '@ksef-bridge/contracts';
import { INVOICE_STATES, allowedTransitionPairs } from '@ksef-bridge/invoice-domain';
import { TRANSITIONS_1765000000000 } from './1765000000000-late-verdicts.migration';

// The database mirrors the state machine; contracts carry its state names. When the domain changes, these fail
// until a new migration rewrites invoice_state_transitions and the contracts list follows.
describe('state machine copies', () => {
  it('the newest migration snapshot equals the domain transitions', () => {
    const key = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([a, b]) => `${a}->${b}`).sort();
    expect(key(TRANSITIONS_1765000000000)).toEqual(key(allowedTransitionPairs()));
  });
  it('the contracts name the same states as the domain', () => {
    expect([...CONTRACT_STATES].sort()).toEqual([...INVOICE_STATES].sort());
  });
});
