import { loadScenarios, type ExpectedIssue, type Scenario } from '@ksef-bridge/invoice-scenarios';
import { createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { validateInvoice, type InvoiceVerdict } from '../domain/validate-invoice';

// The regression library through the validator's real validation: `validateInvoice` with the official XSDs, exactly
// what the invoice.received handler runs for each document (with the real clock, as the service does). Every scenario
// is its own test, so a mismatch is reported by scenario id.
const scenarios = loadScenarios();

/** What the validator's verdict says, in the vocabulary of the scenario manifests. */
type Observed =
  | { outcome: 'passed'; form: string; contextNip: string; invoiceNumber: string; invoiceType: string }
  | { outcome: 'invalid'; stage: string; issues: ExpectedIssue[] };

function observed(verdict: InvoiceVerdict, compareXpathOf: (i: number) => boolean): Observed {
  if (verdict.valid) return { outcome: 'passed', form: verdict.form, contextNip: verdict.contextNip, invoiceNumber: verdict.invoiceNumber, invoiceType: verdict.invoiceType };
  return { outcome: 'invalid', stage: verdict.stage, issues: verdict.issues.map((issue, i) => (compareXpathOf(i) ? { code: issue.code, xpath: issue.xpath } : { code: issue.code })) };
}

function expected(s: Scenario): Observed {
  if (s.expected.outcome === 'invalid') return { outcome: 'invalid', stage: s.expected.stage, issues: s.expected.issues };
  // accepted, ksef-rejected and ksef-duplicate all pass local validation; KSeF's verdict is the system-level runner's part.
  return { outcome: 'passed', form: s.form, contextNip: s.sellerNip, invoiceNumber: s.invoiceNumber, invoiceType: s.invoiceType };
}

describe('regression scenario library through the validator', () => {
  let xml: KsefXmlValidator;
  beforeAll(async () => {
    xml = await createKsefXmlValidator();
  });
  afterAll(() => xml.close());

  it.each(scenarios.map((s) => [s.id, s] as const))('%s', (_id, scenario) => {
    const want = expected(scenario);
    const wantIssues = want.outcome === 'invalid' ? want.issues : [];
    const verdict = validateInvoice(xml, scenario.xml, new Date());
    expect(observed(verdict, (i) => wantIssues[i]?.xpath !== undefined)).toEqual(want);
  });
});
