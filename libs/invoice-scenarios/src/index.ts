// The regression scenario library: hand-written FA(3)/FA(2) invoices with their expected outcomes (test data).
// Curated public API: import only from '@ksef-bridge/invoice-scenarios'.
export { loadScenarios, loadScenario, scenariosDir, finalStateOf } from './lib/load-scenarios';
export { scenarioDocumentId, withInvoiceNumberSuffix, sellerNipsOf } from './lib/scenario-run';
export type { Scenario, ScenarioManifest, ScenarioForm, ScenarioInvoiceType, ExpectedOutcome, ExpectedIssue, ExpectedFinalState } from './lib/scenario';
