import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import {
  createTestDatabase,
  describeTrace,
  freePort,
  jaegerOtlpEndpoint,
  spawnLogged,
  startPrivateKafka,
  startTestRootSpan,
  stopProcess,
  traceProblems,
  waitFor,
  waitForJaegerTrace,
  type PrivateKafka,
  type TestDatabase,
} from '@ksef-bridge/testing';

// The first pipeline hops as built processes: intake and validator against a private Kafka (so their fixed topic and
// group names never meet another run's) and a fresh database. An ERP posts invoices over HTTP; the validator reads
// each by claim check and intake records the verdict. The ERP's trace is read back from the real Jaeger.
const root = join(__dirname, '../../..');
const INTERNAL_TOKEN = 'e2e-internal-token';

interface InvoiceView {
  id: string;
  state: string;
  history: Array<{ from?: string; to: string; actor: string; details?: { issues?: Array<{ code: string }> } }>;
}

describe('intake -> validator -> intake, as processes', () => {
  let kafka: PrivateKafka;
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));
  let intakeUrl: string;
  let apiKey: string;

  const env = (extra: Record<string, string>) => ({
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    PGDATABASE: db.config.database,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaegerOtlpEndpoint(),
    LOG_LEVEL: 'warn',
    ...extra,
  });

  async function start(app: string, extra: Record<string, string>): Promise<string> {
    const port = await freePort();
    const child = spawnLogged(process.execPath, [join(root, 'dist/apps', app, 'main.js')], join(logDir, `${app}.log`), { env: env({ ...extra, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' }) });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health`)).status === 200, { timeoutMs: 90_000, what: `${app} ready (log: ${logDir}/${app}.log)` });
    return url;
  }

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    db = await createTestDatabase('pipeline_e2e');
    const output = execFileSync(process.execPath, [join(root, 'dist/apps/intake/main.js'), 'create-tenant', 'erp-e2e', 'E2E ERP'], { env: env({}) }).toString();
    apiKey = output.split('\n').find((line) => line.startsWith('ksb_'))!;
    expect(apiKey).toBeDefined();
    intakeUrl = await start('intake', {});
    await start('validator', { INTAKE_URL: intakeUrl });
  }, 240_000);

  afterAll(async () => {
    for (const child of children.reverse()) await stopProcess(child);
    await db?.drop();
    await kafka?.destroy();
  });

  async function post(erpDocumentId: string, xml: string, traceparent?: string): Promise<{ status: number; body: InvoiceView }> {
    const res = await fetch(`${intakeUrl}/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': `key-${erpDocumentId}`, 'content-type': 'application/json', ...(traceparent ? { traceparent } : {}) },
      body: JSON.stringify({ erpDocumentId, xml }),
    });
    return { status: res.status, body: (await res.json()) as InvoiceView };
  }

  const invoice = async (id: string) => (await (await fetch(`${intakeUrl}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as InvoiceView;
  const settled = (id: string) => waitFor(async () => ((await invoice(id)).state !== 'RECEIVED' ? invoice(id) : undefined), { timeoutMs: 60_000, what: `invoice ${id} validated` });

  it('queues a valid invoice and explains an invalid one, each with its history', async () => {
    const valid = await post('FV-E2E-1', buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/E2E/1' }));
    expect(valid.status).toBe(201);
    const badNip = await post('FV-E2E-2', buildSampleInvoice({ sellerNip: '5265877636', invoiceNumber: 'FV/E2E/2' }));
    expect(badNip.status).toBe(201);

    const queued = await settled(valid.body.id);
    expect(queued.state).toBe('QUEUED');
    expect(queued.history.map((h) => [h.from, h.to])).toEqual([
      [undefined, 'RECEIVED'],
      ['RECEIVED', 'QUEUED'],
    ]);
    const invalid = await settled(badNip.body.id);
    expect(invalid.state).toBe('INVALID');
    expect(JSON.stringify(invalid.history.at(-1)?.details)).toContain('NIP');

    // The same document again is the same invoice: no second validation, no second history entry.
    const again = await post('FV-E2E-1', buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/E2E/1' }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(valid.body.id);
    expect((await invoice(valid.body.id)).history).toHaveLength(2);
  });

  it('keeps the ERP request, intake, the outbox relay, Kafka and the validator in one trace in Jaeger', async () => {
    const erp = startTestRootSpan('ERP submits invoice');
    const res = await post('FV-E2E-TRACE', buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/E2E/TRACE' }), erp.traceparent);
    expect(res.status).toBe(201);
    await erp.end();
    expect((await settled(res.body.id)).state).toBe('QUEUED');

    const trace = await waitForJaegerTrace(erp.traceId, {
      services: ['system-e2e', 'intake', 'validator'],
      // The verdict's consumption back in intake is the last hop.
      until: (t) => t.spans.some((s) => s.operationName.includes('ksef.invoice.validated.v1') && s.operationName.endsWith('process')),
      timeoutMs: 60_000,
    });
    const tree = describeTrace(trace);
    expect({ problems: traceProblems(trace, { services: ['system-e2e', 'intake', 'validator'], rootService: 'system-e2e' }), tree }).toEqual({ problems: [], tree });
    const operations = trace.spans.map((s) => s.operationName);
    for (const hop of ['ksef.invoice.received.v1 publish', 'ksef.invoice.received.v1 process', 'ksef.invoice.validated.v1 publish']) expect(operations).toContain(hop);
  });
});
