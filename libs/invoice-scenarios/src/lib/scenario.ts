/** The invoice form a scenario is written in (the namespace of its root element). */
export type ScenarioForm = 'FA(2)' | 'FA(3)';

/** RodzajFaktury values of FA(2)/FA(3). */
export type ScenarioInvoiceType = 'VAT' | 'KOR' | 'ZAL' | 'ROZ' | 'UPR' | 'KOR_ZAL' | 'KOR_ROZ';

/** One finding the validator must report: its stable code and, where the validator names one, the XPath. */
export interface ExpectedIssue {
  code: string;
  /** Exact XPath as the validator reports it (`/Faktura/Fa/P_15`, or `//NIP` for XSD findings); omitted: not compared. */
  xpath?: string;
}

/**
 * What must happen to the scenario's invoice:
 * - `accepted`: the validator passes it and KSeF (the simulator) gives it a KSeF number;
 * - `invalid`: the validator refuses it at `stage` with exactly these issues (in this order);
 * - `ksef-rejected`: the validator passes it, KSeF refuses it with invoice status `ksefStatusCode`;
 * - `ksef-duplicate`: the validator passes it, KSeF answers 440 (duplicate of `originalScenario`'s invoice): the
 *   system resolves that to the ORIGINAL KSeF number (ACCEPTED, `ksefDuplicate: true`), never to a rejection.
 */
export type ExpectedOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'invalid'; stage: 'document' | 'schema' | 'rules'; issues: ExpectedIssue[] }
  | { outcome: 'ksef-rejected'; ksefStatusCode: number; reason: string }
  | { outcome: 'ksef-duplicate'; originalScenario: string; reason: string };

/** Final pipeline state of the invoice (libs/invoice-domain names), for the system-level runner. */
export type ExpectedFinalState = 'ACCEPTED' | 'INVALID' | 'REJECTED';

/** `scenario.json` as written in each scenario folder. */
export interface ScenarioManifest {
  /** Same as the folder name: lower-case kebab, usable as an ERP document id prefix. */
  id: string;
  form: ScenarioForm;
  invoiceType: ScenarioInvoiceType;
  /** Short tags of what it exercises (`foreign-currency`, `mpp`, `podmiot3`, …). */
  covers: string[];
  descriptionPl: string;
  descriptionEn: string;
  expected: ExpectedOutcome;
  /** Scenarios that must have reached KSeF first (e.g. the original of a duplicate). */
  dependsOn?: string[];
}

/** A loaded scenario: its manifest, the exact invoice bytes and the fields a runner needs. */
export interface Scenario extends ScenarioManifest {
  /** Folder holding `invoice.xml` and `scenario.json`. */
  dir: string;
  /** The invoice exactly as stored (UTF-8, no BOM). */
  xml: Buffer;
  expectedFinalState: ExpectedFinalState;
  /** Podmiot1 NIP: the KSeF context the sender must hold credentials for. */
  sellerNip: string;
  /** Fa/P_2. */
  invoiceNumber: string;
}
