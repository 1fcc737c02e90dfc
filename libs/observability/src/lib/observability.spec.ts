import { Writable } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, getTracer, currentTraceparent, currentTraceId } from './telemetry';
import { createLogger } from './logger';
import { createMetricsRegistry, Counter, getOrCreateMetric } from './metrics';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { lines, destination };
}

describe('observability', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ serviceName: 'obs-test', testExporter: exporter });
  afterAll(() => telemetry.shutdown());

  it('creates spans, propagates W3C context and correlates logs', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ serviceName: 'obs-test', destination });
    let traceparent: string | undefined;
    let traceId: string | undefined;
    await getTracer().startActiveSpan('unit-of-work', async (span) => {
      traceparent = currentTraceparent();
      traceId = currentTraceId();
      logger.info({ invoiceId: 'inv-1', token: 'secret-token' }, 'working');
      span.end();
    });
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceparent).toContain(traceId!);
    expect(lines[0]).toMatchObject({ service: 'obs-test', level: 'info', trace_id: traceId, invoiceId: 'inv-1', token: '[redacted]' });
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('unit-of-work');

    // A consumer restoring that traceparent continues the same trace.
    const parent = propagation.extract(context.active(), { traceparent: traceparent! });
    const child = getTracer().startSpan('consumer', undefined, parent);
    expect(child.spanContext().traceId).toBe(traceId);
    child.end();
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('exposes Prometheus metrics with the service label', async () => {
    const registry = createMetricsRegistry('obs-test', { defaultMetrics: false });
    const c = getOrCreateMetric(registry, 'ksef_test_total', (registers) => new Counter({ name: 'ksef_test_total', help: 'test', registers }));
    c.inc(2);
    expect(getOrCreateMetric(registry, 'ksef_test_total', () => { throw new Error('must reuse'); })).toBe(c);
    const text = await registry.metrics();
    expect(text).toContain('ksef_test_total{service="obs-test"} 2');
  });
});
