import { traceIdOf } from './invoice-lifecycle';

describe('traceIdOf (the invoice trace id kept for Jaeger)', () => {
  it('takes the trace id of a W3C traceparent', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
  it('keeps nothing for a missing, malformed or all-zero (invalid) trace context', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('00-4bf92f3577b34da6-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
  });
});
