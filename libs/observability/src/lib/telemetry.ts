import { context, diag, DiagLogLevel, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator, W3CBaggagePropagator, CompositePropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base endpoint, e.g. http://127.0.0.1:4318. Unset: spans are created (ids for logs and headers) but not exported. */
  otlpEndpoint?: string;
  /** false disables the SDK entirely (no context propagation either). Default true. */
  enabled?: boolean;
  /** Extra exporter, e.g. an in-memory one in tests. Exported synchronously (SimpleSpanProcessor). */
  testExporter?: SpanExporter;
  /** Paths the HTTP server instrumentation ignores (probes and scrapes would flood the traces). */
  ignoreIncomingPaths?: string[];
}

export interface Telemetry {
  /** Exports every finished span now (tests, and before a deliberate exit). */
  forceFlush(): Promise<void>;
  /** Flushes pending spans and stops the SDK. Safe to call twice. */
  shutdown(): Promise<void>;
}

let active: { sdk: NodeSDK; stopped: boolean } | undefined;

/**
 * Starts OpenTelemetry. Must run before Nest, kafkajs, pg or undici are loaded, so call it from
 * `src/instrumentation.ts`, imported on the first line of every app's main.ts: instrumentations patch modules
 * when they are first required.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (options.enabled === false) return { forceFlush: async () => undefined, shutdown: async () => undefined };
  if (active && !active.stopped) throw new Error('Telemetry already started in this process');
  diag.setLogger({ error: (m) => process.stderr.write(`otel: ${m}\n`), warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.ERROR);

  const spanProcessors: SpanProcessor[] = [];
  const flushAll = () => Promise.all(spanProcessors.map((p) => p.forceFlush())).then(() => undefined);
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), { maxQueueSize: 8192, scheduledDelayMillis: 1_000 }));
  }
  if (options.testExporter) spanProcessors.push(new SimpleSpanProcessor(options.testExporter));

  const ignored = new Set(options.ignoreIncomingPaths ?? ['/health', '/health/live', '/health/ready', '/metrics']);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0' }),
    spanProcessors,
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => ignored.has((req.url ?? '').split('?')[0]) }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // No metrics/logs pipelines: metrics are Prometheus (prom-client), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const state = { sdk, stopped: false };
  active = state;
  return {
    forceFlush: flushAll,
    shutdown: async () => {
      if (state.stopped) return;
      state.stopped = true;
      await sdk.shutdown().catch(() => undefined);
    },
  };
}

/** The tracer of our own code (instrumentation scope `ksef-bridge`). */
export function getTracer(name = 'ksef-bridge'): Tracer {
  return trace.getTracer(name);
}

/** The W3C traceparent of the active span, if any (for storing with records, e.g. an invoice's trace id). */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

/** The active trace id, or undefined outside a span. */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
