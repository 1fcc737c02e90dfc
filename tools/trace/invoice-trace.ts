// Prints one invoice's trace as a span tree with timings, read from Jaeger's query API: for SREs on a machine whose
// Jaeger has no web UI (scripts/stack/jaeger.sh builds Jaeger without one), and for terminals in general.
//
//   node -r ./tools/ts-run/register.js tools/trace/invoice-trace.ts --trace <traceId>
//   KSB_API_KEY=ksb_… node -r ./tools/ts-run/register.js tools/trace/invoice-trace.ts --invoice <id> | --erp <ERP document id> | --ksef <KSeF number>
//
// Env: INTAKE_URL (http://127.0.0.1:3001), JAEGER_QUERY_URL (http://127.0.0.1:16686), KSB_API_KEY (the tenant's key).
import { fetchJaegerTrace, parentSpanId, spanService, type JaegerSpan, type JaegerTrace } from '@ksef-bridge/testing';

const intakeUrl = process.env['INTAKE_URL'] ?? 'http://127.0.0.1:3001';
const jaegerUrl = process.env['JAEGER_QUERY_URL'] ?? 'http://127.0.0.1:16686';
const SHOWN_TAGS = ['http.request.method', 'http.response.status_code', 'url.full', 'messaging.destination.name', 'invoice.id', 'ksef.context_nip', 'ksef.session_reference_number', 'ksef.invoice_reference_number'];

async function invoiceTraceId(kind: string, value: string): Promise<string> {
  const key = process.env['KSB_API_KEY'];
  if (!key) throw new Error('set KSB_API_KEY to the tenant API key to look an invoice up in intake');
  const path = kind === '--invoice' ? `/v1/invoices/${encodeURIComponent(value)}` : kind === '--erp' ? `/v1/invoices?erpDocumentId=${encodeURIComponent(value)}` : `/v1/invoices?ksefNumber=${encodeURIComponent(value)}`;
  const res = await fetch(`${intakeUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { traceId?: string; items?: Array<{ traceId?: string }> };
  const traceId = body.traceId ?? body.items?.[0]?.traceId;
  if (!traceId) throw new Error(`the invoice has no trace id recorded (${JSON.stringify(body).slice(0, 200)})`);
  return traceId;
}

function render(trace: JaegerTrace): string {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of [...trace.spans].sort((a, b) => a.startTime - b.startTime)) {
    const parent = parentSpanId(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const services = [...new Set(trace.spans.map((s) => spanService(trace, s)))];
  const lines = [`trace ${trace.traceID}: ${trace.spans.length} spans, ${services.length} services (${services.join(', ')})`, '  +start ms  duration  service: operation'];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const at = ((span.startTime - start) / 1000).toFixed(1).padStart(9);
      const took = `${(span.duration / 1000).toFixed(1)}ms`.padStart(9);
      const tags = span.tags.filter((t) => SHOWN_TAGS.includes(t.key)).map((t) => `${t.key}=${t.value}`);
      lines.push(`${at} ${took}  ${'  '.repeat(depth)}${spanService(trace, span)}: ${span.operationName}${tags.length ? `  [${tags.join(' ')}]` : ''}`);
      walk(span.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [kind, value] = process.argv.slice(2);
  if (!kind || !value || !['--trace', '--invoice', '--erp', '--ksef'].includes(kind)) throw new Error('usage: invoice-trace.ts --trace <traceId> | --invoice <id> | --erp <ERP document id> | --ksef <KSeF number>');
  const traceId = kind === '--trace' ? value : await invoiceTraceId(kind, value);
  const trace = await fetchJaegerTrace(traceId, jaegerUrl);
  if (!trace) throw new Error(`Jaeger at ${jaegerUrl} has no trace ${traceId} (in-memory storage forgets on restart)`);
  console.log(render(trace));
  console.log(`\nJaeger API: ${jaegerUrl}/api/traces/${traceId}   UI (when Jaeger has one): ${jaegerUrl}/trace/${traceId}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
