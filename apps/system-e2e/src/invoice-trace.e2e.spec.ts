import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { describeTrace, spanService, startTestRootSpan, traceProblems, waitFor, waitForJaegerTrace, type JaegerTrace } from '@ksef-bridge/testing';
import { PipelineSystem } from './support/pipeline-system';

// Issue #10: one invoice, through the HTTP door and through the Kafka door, is ONE connected trace in the real Jaeger:
// the ERP's span, intake, the outbox relays and Kafka hops, the validator, the sender with each KSeF call, the
// status-poller and the notifier. The trace id is read from the invoice's own record (what an SRE would do).
const NIP = '5265877635';
const SERVICES = ['system-e2e', 'intake', 'validator', 'sender', 'status-poller', 'notifier'];

describe('one invoice is one connected trace in Jaeger, from the ERP to the notifier', () => {
  const system = new PipelineSystem({ contexts: [NIP], traces: true });
  const run = Date.now().toString(36);

  beforeAll(() => system.start(), 300_000);
  afterAll(() => system.stop(), 120_000);

  async function acceptedInvoice(erpDocumentId: string) {
    return waitFor(
      async () => {
        const invoice = (await system.invoicesByErpId()).get(erpDocumentId);
        return invoice?.state === 'ACCEPTED' ? system.invoice(invoice.id) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `${erpDocumentId} accepted` },
    );
  }

  async function completeTrace(traceId: string): Promise<JaegerTrace> {
    const trace = await waitForJaegerTrace(traceId, {
      services: SERVICES,
      // The notifier's processing of the acceptance is the last hop of an accepted invoice.
      until: (t) => t.spans.some((s) => spanService(t, s) === 'notifier' && s.operationName.includes('ksef.invoice.accepted.v1') && s.operationName.endsWith('process')),
      timeoutMs: 120_000,
    });
    const tree = describeTrace(trace);
    expect({ problems: traceProblems(trace, { services: SERVICES, rootService: 'system-e2e' }), tree }).toEqual({ problems: [], tree });
    return trace;
  }

  function expectKsefCalls(trace: JaegerTrace): void {
    const ksefCalls = trace.spans.filter((s) => ['sender', 'status-poller'].includes(spanService(trace, s)) && s.tags.some((t) => t.key === 'http.request.method' || t.key === 'http.method'));
    const routes = ksefCalls.map((s) => s.operationName).join('\n');
    expect(routes).toMatch(/POST/);
    expect(routes).toMatch(/GET/);
    // The sender's attempt names the invoice in KSeF's terms, so an SRE can go from the trace to KSeF and back.
    expect(trace.spans.some((s) => spanService(trace, s) === 'sender' && s.tags.some((t) => t.key === 'ksef.invoice_reference_number' && String(t.value).length > 0))).toBe(true);
    // Every KSeF call carries its status code.
    for (const span of ksefCalls) expect(span.tags.some((t) => t.key === 'http.response.status_code' || t.key === 'http.status_code')).toBe(true);
  }

  it('through the HTTP door', async () => {
    const erp = startTestRootSpan('ERP posts invoice');
    const erpDocumentId = `TRACE-HTTP-${run}`;
    const res = await system.post(erpDocumentId, buildSampleInvoice({ sellerNip: NIP, buyerNip: '7740001454', invoiceNumber: `FV/TRACE/${run}/1` }), { traceparent: erp.traceparent });
    expect(res.status).toBe(201);
    await erp.end();
    const invoice = await acceptedInvoice(erpDocumentId);
    expect(invoice.traceId).toBe(erp.traceId);
    expectKsefCalls(await completeTrace(erp.traceId));
  });

  it('through the Kafka door', async () => {
    const erp = startTestRootSpan('ERP publishes invoice');
    const erpDocumentId = `TRACE-KAFKA-${run}`;
    await system.publishErp(erpDocumentId, buildSampleInvoice({ sellerNip: NIP, buyerNip: '7740001454', invoiceNumber: `FV/TRACE/${run}/2` }), erp.traceparent);
    await erp.end();
    const invoice = await acceptedInvoice(erpDocumentId);
    expect(invoice.traceId).toBe(erp.traceId);
    expectKsefCalls(await completeTrace(erp.traceId));
  });
});
