import type { Scenario } from './scenario';

/**
 * The ERP document id of a scenario in one run: `<scenario id>/<run id>`. Scenario ids are stable, so a runner can
 * find every invoice of a run by prefix and never collides with an earlier run against the same database.
 */
export function scenarioDocumentId(scenario: Pick<Scenario, 'id'>, runId: string): string {
  return `${scenario.id}/${runId}`;
}

/**
 * The scenario's invoice with `/<suffix>` appended to its number (Fa/P_2). KSeF refuses a second invoice with the same
 * (seller NIP, RodzajFaktury, P_2) for ten years, so a runner that reuses a simulator gives every run its own suffix;
 * the same suffix for a scenario and its `dependsOn` keeps an intended duplicate a duplicate. Nothing else changes.
 */
export function withInvoiceNumberSuffix(scenario: Pick<Scenario, 'xml' | 'invoiceNumber'>, suffix: string): Buffer {
  if (!/^[\w.-]{1,40}$/.test(suffix)) throw new RangeError(`suffix must be 1-40 characters of [A-Za-z0-9_.-], got '${suffix}'`);
  const text = scenario.xml.toString('utf8');
  const replaced = text.replace(/(<(?:\w+:)?P_2>)([^<]*)(<\/(?:\w+:)?P_2>)/, (_m, open: string, value: string, close: string) => `${open}${value}/${suffix}${close}`);
  if (replaced === text) throw new Error('the invoice has no P_2 to suffix');
  return Buffer.from(replaced, 'utf8');
}

/**
 * The seller NIPs (KSeF contexts) of the scenarios that must reach KSeF: a system-level runner registers a context
 * with credentials for each, or the sender escalates instead of sending.
 */
export function sellerNipsOf(scenarios: ReadonlyArray<Pick<Scenario, 'sellerNip' | 'expected'>>): string[] {
  return [...new Set(scenarios.filter((s) => s.expected.outcome !== 'invalid').map((s) => s.sellerNip))].sort();
}
