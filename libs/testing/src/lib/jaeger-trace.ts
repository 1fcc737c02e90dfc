import { randomBytes } from 'node:crypto';
import { waitFor } from './wait';

/**
 * Reading traces back from a real Jaeger (scripts/stack/jaeger.sh) through its query API, and checking their shape:
 * which services took part, and that every span's parent is in the trace (an orphan means a hop lost the context).
 */

/** Jaeger's query API and UI. Env `JAEGER_QUERY_URL`, default `http://127.0.0.1:16686`. */
export function jaegerQueryUrl(): string {
  return (process.env['JAEGER_QUERY_URL'] ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
}

/** The OTLP/HTTP endpoint services export to (their `OTEL_EXPORTER_OTLP_ENDPOINT`). Env `JAEGER_OTLP_URL`, default `http://127.0.0.1:4318`. */
export function jaegerOtlpEndpoint(): string {
  return (process.env['JAEGER_OTLP_URL'] ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
}

export interface JaegerSpanReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

/** A span as `/api/traces/{id}` returns it (times in microseconds). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerSpanReference[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] }>;
}

/** One trace by id, or undefined while Jaeger does not know it (404). Trace ids are 32 lowercase hex digits. */
export async function fetchJaegerTrace(traceId: string, queryUrl = jaegerQueryUrl()): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET ${queryUrl}/api/traces/${traceId}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data?: JaegerTrace[] };
  return body.data?.[0];
}

/** Services Jaeger has received spans from (`/api/services`). */
export async function jaegerServices(queryUrl = jaegerQueryUrl()): Promise<string[]> {
  const res = await fetch(`${queryUrl}/api/services`);
  if (!res.ok) throw new Error(`GET ${queryUrl}/api/services: HTTP ${res.status}`);
  return ((await res.json()) as { data: string[] | null }).data ?? [];
}

export interface WaitForTraceOptions {
  /** Wait until spans of each of these services are in the trace. Default: any span. */
  services?: string[];
  /** Extra condition on the trace (e.g. an operation present). */
  until?: (trace: JaegerTrace) => boolean;
  /**
   * Spans reach Jaeger in batches (each service exports every second): once the conditions hold, the span count
   * must stay the same for this long before the trace is returned. Default 1500 ms.
   */
  settleMs?: number;
  /** Default 30 s. */
  timeoutMs?: number;
  queryUrl?: string;
}

/** Polls Jaeger until the trace exists, meets the conditions and has stopped growing. */
export async function waitForJaegerTrace(traceId: string, options: WaitForTraceOptions = {}): Promise<JaegerTrace> {
  const settleMs = options.settleMs ?? 1_500;
  let seen: { count: number; since: number } | undefined;
  let last: JaegerTrace | undefined;
  try {
    return await waitFor(
      async () => {
        const trace = await fetchJaegerTrace(traceId, options.queryUrl);
        last = trace;
        if (!trace) return undefined;
        const services = new Set(traceServices(trace));
        if (options.services && !options.services.every((s) => services.has(s))) return undefined;
        if (options.until && !options.until(trace)) return undefined;
        if (!seen || seen.count !== trace.spans.length) {
          seen = { count: trace.spans.length, since: Date.now() };
          return undefined;
        }
        return Date.now() - seen.since >= settleMs ? trace : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 250, what: `trace ${traceId} in Jaeger${options.services ? ` with spans of ${options.services.join(', ')}` : ''}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${last ? describeTrace(last) : 'Jaeger does not know the trace'}`);
  }
}

/** The service of a span (from its process). */
export function spanService(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? `?${span.processID}`;
}

/** The service names taking part in the trace, sorted. */
export function traceServices(trace: JaegerTrace): string[] {
  return [...new Set(trace.spans.map((s) => spanService(trace, s)))].sort();
}

/** The span's parent id (its CHILD_OF reference within the same trace), if any. */
export function parentSpanId(span: JaegerSpan): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID;
}

/** A tag's value, e.g. `spanTag(span, 'span.kind')`. */
export function spanTag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

export interface TraceExpectations {
  /** Each of these services has at least one span. */
  services?: string[];
  /** The trace has exactly one root span. Default true. */
  singleRoot?: boolean;
  /** The root span's service. */
  rootService?: string;
}

/**
 * What is wrong with the trace, as readable lines (empty: nothing). Always checked: every referenced parent span is
 * in the trace (no orphans: a lost context or a span that was never exported), and no span belongs to another trace.
 */
export function traceProblems(trace: JaegerTrace, expect: TraceExpectations = {}): string[] {
  const problems: string[] = [];
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const label = (s: JaegerSpan) => `${spanService(trace, s)}: ${s.operationName} (${s.spanID})`;
  for (const span of trace.spans) {
    if (span.traceID !== trace.traceID) problems.push(`span ${label(span)} has trace id ${span.traceID}, not ${trace.traceID}`);
    const parent = parentSpanId(span);
    if (parent !== undefined && !ids.has(parent)) problems.push(`orphan: ${label(span)} points at parent ${parent}, which is not in the trace`);
  }
  const roots = trace.spans.filter((s) => parentSpanId(s) === undefined);
  if ((expect.singleRoot ?? true) && roots.length !== 1) problems.push(`expected one root span, found ${roots.length}${roots.length ? `: ${roots.map(label).join('; ')}` : ''}`);
  if (expect.rootService && roots.length === 1 && spanService(trace, roots[0]) !== expect.rootService) {
    problems.push(`root span ${label(roots[0])} is not from ${expect.rootService}`);
  }
  const services = new Set(traceServices(trace));
  for (const s of expect.services ?? []) if (!services.has(s)) problems.push(`no span from service ${s} (services: ${[...services].join(', ') || 'none'})`);
  return problems;
}

/** The trace as an indented tree (`service: operation`), orphans listed at the top level; for failure messages. */
export function describeTrace(trace: JaegerTrace): string {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of [...trace.spans].sort((a, b) => a.startTime - b.startTime)) {
    const parent = parentSpanId(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines = [`trace ${trace.traceID}: ${trace.spans.length} spans, services ${traceServices(trace).join(', ')}`];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const orphan = depth === 0 && parentSpanId(span) !== undefined ? ` [orphan, parent ${parentSpanId(span)}]` : '';
      lines.push(`${'  '.repeat(depth + 1)}${spanService(trace, span)}: ${span.operationName} (${span.spanID})${orphan}`);
      walk(span.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** A span the test itself reports to Jaeger: the caller (an ERP, a client) at the top of a trace it starts. */
export interface TestRootSpan {
  traceId: string;
  spanId: string;
  /** W3C `traceparent` to send with requests made under this span (sampled). */
  traceparent: string;
  /** Ends the span and exports it over OTLP/HTTP (JSON) to `jaegerOtlpEndpoint()`. */
  end(): Promise<void>;
}

/**
 * Starts a CLIENT span of service `serviceName` (default `system-e2e`). Requests carrying its `traceparent` make the
 * services' spans its children, so a test knows the trace id up front and the trace has a real root in Jaeger.
 */
export function startTestRootSpan(name: string, options: { serviceName?: string; otlpEndpoint?: string } = {}): TestRootSpan {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const endpoint = options.otlpEndpoint ?? jaegerOtlpEndpoint();
  return {
    traceId,
    spanId,
    traceparent: `00-${traceId}-${spanId}-01`,
    async end() {
      const endNs = BigInt(Date.now()) * 1_000_000n;
      // OTLP/HTTP JSON: ids are hex strings, times are decimal strings of nanoseconds, kind 3 = CLIENT.
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: options.serviceName ?? 'system-e2e' } }] },
            scopeSpans: [
              {
                scope: { name: '@ksef-bridge/testing' },
                spans: [{ traceId, spanId, name, kind: 3, startTimeUnixNano: startNs.toString(), endTimeUnixNano: endNs.toString(), status: {} }],
              },
            ],
          },
        ],
      };
      const res = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`OTLP export to ${endpoint}/v1/traces: HTTP ${res.status} ${await res.text()}`);
    },
  };
}
