import { loadScenarios, scenarioDocumentId, sellerNipsOf, withInvoiceNumberSuffix, type Scenario } from '@ksef-bridge/invoice-scenarios';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem, type InvoiceView } from './support/pipeline-system';
import { FINAL_STATES } from './support/invoice-mix';

// Issue #8's regression runner: every scenario of libs/invoice-scenarios through the running system (intake →
// validator → sender → KSeF simulator → status-poller → intake), compared with its expected outcome: the final state,
// the exact validation codes of an invalid one, KSeF's status code of a rejected one, and the original's KSeF number
// for a 440 duplicate. (A scenario without an invoice number, P_2, is one the validator must refuse: sent as is.)
const scenarios = loadScenarios();
const run = Date.now().toString(36);

describe('the regression scenario library through the running system', () => {
  const system = new PipelineSystem({ contexts: sellerNipsOf(scenarios) });
  const results = new Map<string, InvoiceView>();

  beforeAll(() => system.start(), 300_000);
  afterAll(() => system.stop(), 120_000);

  async function submitAndSettle(batch: Scenario[]): Promise<void> {
    const posted = await Promise.all(batch.map(async (s) => ({ s, res: await system.post(scenarioDocumentId(s, run), s.invoiceNumber ? withInvoiceNumberSuffix(s, run) : s.xml) })));
    for (const { s, res } of posted) expect({ id: s.id, status: res.status }).toEqual({ id: s.id, status: 201 });
    await Promise.all(
      posted.map(async ({ s, res }) => {
        const final = await waitFor(
          async () => {
            const view = await system.invoice(res.body.id);
            return FINAL_STATES.includes(view.state) || view.state === 'ESCALATED' ? view : undefined;
          },
          { timeoutMs: 180_000, intervalMs: 500, what: `${s.id} in a final state` },
        );
        results.set(s.id, final);
      }),
    );
  }

  it('brings every scenario to its expected outcome', async () => {
    // Originals first: a scenario that depends on another (a duplicate) goes once its original has its verdict.
    await submitAndSettle(scenarios.filter((s) => !s.dependsOn?.length));
    await submitAndSettle(scenarios.filter((s) => s.dependsOn?.length));

    const mismatches: string[] = [];
    for (const s of scenarios) {
      const view = results.get(s.id)!;
      const last = view.history.at(-1)?.details ?? {};
      if (view.state !== s.expectedFinalState) mismatches.push(`${s.id}: expected ${s.expectedFinalState}, got ${view.state} (${JSON.stringify(last).slice(0, 300)})`);
      else if (s.expected.outcome === 'invalid') {
        const codes = ((last as { issues?: Array<{ code: string }> }).issues ?? []).map((i) => i.code);
        const want = s.expected.issues.map((i) => i.code);
        if (JSON.stringify(codes) !== JSON.stringify(want)) mismatches.push(`${s.id}: issues ${codes.join(',')} instead of ${want.join(',')}`);
      } else if (s.expected.outcome === 'ksef-rejected') {
        const code = (last as { processingCode?: number }).processingCode;
        if (code !== s.expected.ksefStatusCode) mismatches.push(`${s.id}: KSeF status ${code} instead of ${s.expected.ksefStatusCode}`);
      } else if (s.expected.outcome === 'ksef-duplicate') {
        const original = results.get(s.expected.originalScenario);
        const dup = view as InvoiceView & { ksefDuplicate?: boolean };
        if (!dup.ksefDuplicate || !original?.ksefNumber || dup.ksefNumber !== original.ksefNumber) mismatches.push(`${s.id}: expected the original's number ${original?.ksefNumber} as a duplicate, got ${dup.ksefNumber} (duplicate: ${dup.ksefDuplicate})`);
      } else if (!view.ksefNumber) mismatches.push(`${s.id}: ACCEPTED without a KSeF number`);
    }
    expect(mismatches).toEqual([]);

    // KSeF's own record: nothing reached it twice.
    expect([...(await system.ksefCopiesByHash())].filter(([, n]) => n !== 1)).toEqual([]);
  }, 600_000);
});
