// Vendored official KSeF artifacts and protocol facts (XSD, KSeF numbers, reference numbers).
// Curated public API: import only from '@ksef-bridge/ksef-spec'.
export { crc8 } from './lib/crc8';
export { isValidNip, completeNip } from './lib/nip';
export {
  KSEF_NUMBER_PATTERN,
  generateKsefNumber,
  checkKsefNumber,
  isValidKsefNumber,
  ksefNumberChecksum,
  hasValidSellerNip,
} from './lib/ksef-number';
export type { KsefNumberParts, KsefNumberCheck } from './lib/ksef-number';
export { REFERENCE_NUMBER_PATTERN, generateReferenceNumber, isValidReferenceNumber, referenceNumberType } from './lib/reference-number';
export type { ReferenceNumberType } from './lib/reference-number';
export { OFFICIAL_FILES, officialArtifactsDir, readOfficialFile, loadOfficialOpenApi } from './lib/official-artifacts';
export { KSEF_NAMESPACES, createKsefXmlValidator, patchAuthV20Schema } from './lib/xsd-validator';
export type { KsefSchemaName, KsefXmlValidator, KsefSpecOptions, XmlProblem, XmlValidationResult } from './lib/xsd-validator';
export { invoicePreflight } from './lib/invoice-preflight';
export { buildSampleInvoice } from './lib/sample-invoice';
export type { SampleInvoiceOptions } from './lib/sample-invoice';
export { importEsm } from './lib/esm-import';
