import { FaultPlan, seededRandom } from './fault-plan';

describe('FaultPlan', () => {
  it('is reproducible from its seed', () => {
    const draws = (seed: number) => {
      const plan = new FaultPlan(seed);
      plan.add({ type: 'error5xx', probability: 0.3 });
      return Array.from({ length: 50 }, () => (plan.pick('GET /v2/x', 0) ? 1 : 0));
    };
    expect(draws(9)).toEqual(draws(9));
    expect(draws(9)).not.toEqual(draws(10));
    expect(seededRandom(1)()).toBeGreaterThanOrEqual(0);
  });

  it('honours endpoint, count and duration', () => {
    const plan = new FaultPlan(1);
    const rule = plan.add({ type: 'error5xx', endpoint: 'POST /v2/a', remaining: 2, untilMs: 1_000 });
    expect(plan.pick('POST /v2/b', 0)).toBeUndefined();
    expect(plan.pick('POST /v2/a', 0)?.id).toBe(rule.id);
    expect(plan.pick('POST /v2/a', 2_000)).toBeUndefined();
    expect(plan.pick('POST /v2/a', 10)?.id).toBe(rule.id);
    expect(plan.pick('POST /v2/a', 20)).toBeUndefined();
  });

  it('stuck processing is a state, never a per-request fault', () => {
    const plan = new FaultPlan(1);
    plan.add({ type: 'stuckProcessing', untilMs: 100 });
    expect(plan.pick('GET /v2/x', 0)).toBeUndefined();
    expect(plan.processingStuck(50)).toBe(true);
    expect(plan.processingStuck(150)).toBe(false);
  });
});
