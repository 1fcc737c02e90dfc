import { metricSum, overlappingAttempts, type AttemptWindow } from './scale-out-checks';

const at = (nip: string, id: string, start: number, end: number): AttemptWindow => ({ contextNip: nip, invoiceId: id, startedAt: new Date(start), finishedAt: new Date(end) });

describe('overlappingAttempts', () => {
  it('accepts one context sending one attempt after another, and contexts in parallel', () => {
    expect(overlappingAttempts([at('A', 'a1', 0, 100), at('A', 'a2', 100, 180), at('B', 'b1', 50, 150), at('A', 'a3', 300, 400)])).toEqual([]);
  });

  it('tolerates the millisecond truncation of started_at', () => {
    expect(overlappingAttempts([at('A', 'a1', 0, 101), at('A', 'a2', 100, 150)])).toEqual([]);
  });

  it('reports two attempts of one context running at once (two owners)', () => {
    const problems = overlappingAttempts([at('A', 'a1', 0, 100), at('A', 'a2', 40, 140)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('a2');
  });

  it('reports an attempt covered by a longer earlier one, not only by its predecessor', () => {
    expect(overlappingAttempts([at('A', 'long', 0, 1000), at('A', 'a2', 10, 20), at('A', 'a3', 500, 600)])).toHaveLength(2);
  });
});

describe('metricSum', () => {
  it('sums a family over its label sets and ignores other families and comments', () => {
    const text = ['# HELP ksef_x x', '# TYPE ksef_x counter', 'ksef_x{topic="a"} 3', 'ksef_x{topic="b"} 4', 'ksef_x_total 100', 'ksef_y 9'].join('\n');
    expect(metricSum(text, 'ksef_x')).toBe(7);
    expect(metricSum(text, 'ksef_absent')).toBe(0);
  });
});
