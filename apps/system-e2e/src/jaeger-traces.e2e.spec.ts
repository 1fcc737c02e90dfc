import {
  describeTrace,
  fetchJaegerTrace,
  jaegerOtlpEndpoint,
  jaegerQueryUrl,
  parentSpanId,
  spanService,
  spanTag,
  startSimulator,
  startTestRootSpan,
  traceProblems,
  waitForJaegerTrace,
  type JaegerSpan,
  type JaegerTrace,
  type SimulatorProcess,
} from '@ksef-bridge/testing';

// A built service (the KSeF simulator: dist/apps/ksef-simulator/main.js) exports its spans over OTLP/HTTP to the real
// local Jaeger (scripts/stack/jaeger.sh, started by scripts/stack/infra.sh up), and the test reads the trace back
// from Jaeger's query API. The caller's span (the test, standing in for an ERP) is exported too, so the trace has a
// real root and every parent must be found in Jaeger: a lost context or an unexported span shows up as an orphan.
const SERVICE = 'ksef-simulator';

function serverSpans(trace: JaegerTrace): JaegerSpan[] {
  return trace.spans.filter((s) => spanService(trace, s) === SERVICE && spanTag(s, 'span.kind') === 'server');
}

describe('traces of a built service in the real Jaeger', () => {
  let sim: SimulatorProcess;

  beforeAll(async () => {
    const up = await fetch(`${jaegerQueryUrl()}/api/services`).then((r) => r.ok, () => false);
    if (!up) throw new Error(`Jaeger does not answer on ${jaegerQueryUrl()}: bash scripts/stack/jaeger.sh start`);
    sim = await startSimulator({ env: { OTEL_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: jaegerOtlpEndpoint() } });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('continues the caller trace: server span under the caller, database spans under the server span', async () => {
    const root = startTestRootSpan('POST /v2/auth/challenge');
    const res = await fetch(`${sim.apiBaseUrl}/auth/challenge`, { method: 'POST', headers: { traceparent: root.traceparent } });
    expect(res.status).toBe(200);
    await root.end();

    // The server span ends last among the simulator's spans of this request, so once it is there the rest is too
    // (waitForJaegerTrace also waits for the span count to settle).
    const trace = await waitForJaegerTrace(root.traceId, { services: ['system-e2e', SERVICE], until: (t) => serverSpans(t).length > 0 });
    const tree = describeTrace(trace);

    const [server] = serverSpans(trace);
    // The challenge is stored in PostgreSQL: the pg instrumentation's spans must hang (transitively) under the request.
    const underServer = (span: JaegerSpan): boolean => {
      const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
      for (let id = parentSpanId(span); id; id = byId.get(id) && parentSpanId(byId.get(id) as JaegerSpan)) if (id === server?.spanID) return true;
      return false;
    };
    // Stable semantic-convention names (the instrumentations emit them); the older ones are accepted too, so an
    // instrumentation downgrade is not mistaken for a tracing failure.
    const dbSpans = trace.spans.filter((s) => (spanTag(s, 'db.system.name') ?? spanTag(s, 'db.system')) === 'postgresql');
    // One comparison, with the tree beside it, so a failure shows the whole trace.
    expect({
      problems: traceProblems(trace, { services: ['system-e2e', SERVICE], rootService: 'system-e2e' }),
      serverSpans: serverSpans(trace).length,
      serverParent: server && parentSpanId(server),
      request: server && [spanTag(server, 'http.request.method') ?? spanTag(server, 'http.method'), spanTag(server, 'url.path') ?? spanTag(server, 'http.target')],
      dbSpans: dbSpans.length > 0,
      dbSpansOutsideTheRequest: dbSpans.filter((s) => !underServer(s)).map((s) => s.operationName),
      tree,
    }).toEqual({ problems: [], serverSpans: 1, serverParent: root.spanId, request: ['POST', '/v2/auth/challenge'], dbSpans: true, dbSpansOutsideTheRequest: [], tree });
  });

  it('does not trace probes and scrapes (/health, /metrics)', async () => {
    const probe = startTestRootSpan('probes');
    for (const path of ['/health', '/health/live', '/metrics']) {
      expect((await fetch(`${sim.origin}${path}`, { headers: { traceparent: probe.traceparent } })).status).toBe(200);
    }
    await probe.end();
    // A traced request made afterwards is the marker: the simulator exports spans in the order they end, so once the
    // marker's server span is in Jaeger, any span of the probes would be as well.
    const marker = startTestRootSpan('marker');
    expect((await fetch(`${sim.apiBaseUrl}/auth/challenge`, { method: 'POST', headers: { traceparent: marker.traceparent } })).status).toBe(200);
    await marker.end();
    await waitForJaegerTrace(marker.traceId, { until: (t) => serverSpans(t).length > 0 });

    const probes = await fetchJaegerTrace(probe.traceId);
    expect(probes && probes.spans.map((s) => `${spanService(probes, s)}: ${s.operationName}`)).toEqual(['system-e2e: probes']);
  });
});
