import { describeTrace, parentSpanId, traceProblems, traceServices, type JaegerSpan, type JaegerTrace } from './jaeger-trace';

// The checks the e2e tests rely on, on hand-made traces in Jaeger's /api/traces shape: a checker that cannot see an
// orphan would let a broken context propagation pass.
const T = 'a'.repeat(32);

function span(spanID: string, processID: string, parent?: string, operationName = `op-${spanID}`): JaegerSpan {
  return {
    traceID: T,
    spanID,
    operationName,
    references: parent ? [{ refType: 'CHILD_OF', traceID: T, spanID: parent }] : [],
    startTime: Number.parseInt(spanID, 16),
    duration: 1,
    tags: [],
    processID,
  };
}

function trace(...spans: JaegerSpan[]): JaegerTrace {
  return { traceID: T, spans, processes: { p1: { serviceName: 'intake' }, p2: { serviceName: 'validator' } } };
}

describe('traceProblems', () => {
  it('accepts a connected trace with one root across services', () => {
    const t = trace(span('01', 'p1'), span('02', 'p1', '01'), span('03', 'p2', '02'));
    expect(traceProblems(t, { services: ['intake', 'validator'], rootService: 'intake' })).toEqual([]);
    expect(traceServices(t)).toEqual(['intake', 'validator']);
    expect(parentSpanId(t.spans[2])).toBe('02');
  });

  it('reports a span whose parent is not in the trace', () => {
    const t = trace(span('01', 'p1'), span('03', 'p2', '0f'));
    expect(traceProblems(t)).toEqual(['orphan: validator: op-03 (03) points at parent 0f, which is not in the trace']);
  });

  it('reports several roots, a missing service and a wrong root service', () => {
    expect(traceProblems(trace(span('01', 'p1'), span('02', 'p2')))).toEqual(['expected one root span, found 2: intake: op-01 (01); validator: op-02 (02)']);
    expect(traceProblems(trace(span('01', 'p1')), { services: ['sender'] })).toEqual(['no span from service sender (services: intake)']);
    expect(traceProblems(trace(span('01', 'p2'), span('02', 'p1', '01')), { rootService: 'intake' })).toEqual(['root span validator: op-01 (01) is not from intake']);
  });

  it('treats FOLLOWS_FROM as a link, not a parent', () => {
    const linked = span('02', 'p2');
    linked.references = [{ refType: 'FOLLOWS_FROM', traceID: T, spanID: '01' }];
    expect(traceProblems(trace(span('01', 'p1'), linked))).toEqual(['expected one root span, found 2: intake: op-01 (01); validator: op-02 (02)']);
  });

  it('reports a span of another trace', () => {
    const foreign = span('02', 'p1', '01');
    foreign.traceID = 'b'.repeat(32);
    foreign.references = [{ refType: 'CHILD_OF', traceID: 'b'.repeat(32), spanID: '01' }];
    expect(traceProblems(trace(span('01', 'p1'), foreign))).toContain(`span intake: op-02 (02) has trace id ${'b'.repeat(32)}, not ${T}`);
  });
});

describe('describeTrace', () => {
  it('draws the tree and marks orphans', () => {
    const text = describeTrace(trace(span('01', 'p1'), span('02', 'p2', '01'), span('03', 'p2', '0f')));
    expect(text.split('\n')).toEqual([
      `trace ${T}: 3 spans, services intake, validator`,
      '  intake: op-01 (01)',
      '    validator: op-02 (02)',
      '  validator: op-03 (03) [orphan, parent 0f]',
    ]);
  });
});
