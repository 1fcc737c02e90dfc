import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';

/** The only deviation of TE's UPOs from the v4-3 schema (API.md §8): the fixed receiver name carries a suffix. */
const TE_RECEIVER_NAME = 'Ministerstwo Finansów - środowisko testowe (TE)';
const SCHEMA_RECEIVER_NAME = 'Ministerstwo Finansów';

const FIELDS = { ksefNumber: '//t:Dokument/t:NumerKSeFDokumentu', assignedAt: '//t:Dokument/t:DataNadaniaNumeruKSeF' } as const;

export type UpoCheck = { valid: true; acquisitionDate?: string; teDeviation: boolean } | { valid: false; problem: string };

/**
 * Validates an invoice UPO against the official UPO v4-3 XSD and checks that it is the receipt of `ksefNumber`.
 * TE's one known deviation (the receiver name) is tolerated: the document is validated with the schema's value put
 * in, and stored exactly as received. Returns the KSeF number's assignment time (DataNadaniaNumeruKSeF) as the
 * acquisition date, which a duplicate (440) has no other source for.
 */
export function checkUpo(validator: KsefXmlValidator, xml: string, ksefNumber: string): UpoCheck {
  const checked = validateUpo(validator, xml);
  if (!checked.valid) return checked;
  const { result, teDeviation } = checked;
  if (result.fields.ksefNumber !== ksefNumber) return { valid: false, problem: `UPO is the receipt of ${result.fields.ksefNumber ?? 'no KSeF number'}, not of ${ksefNumber}` };
  const assigned = result.fields.assignedAt;
  const acquisitionDate = assigned && !Number.isNaN(Date.parse(assigned)) ? new Date(assigned).toISOString() : undefined;
  return { valid: true, acquisitionDate, teDeviation };
}

/** Schema check only (UPO v4-3, TE deviation tolerated): for a session UPO page, which lists many KSeF numbers. */
export function checkUpoSchema(validator: KsefXmlValidator, xml: string): { valid: true; teDeviation: boolean } | { valid: false; problem: string } {
  const checked = validateUpo(validator, xml);
  return checked.valid ? { valid: true, teDeviation: checked.teDeviation } : checked;
}

function validateUpo(validator: KsefXmlValidator, xml: string) {
  let result = validator.validate('UPO-v4-3', xml, FIELDS);
  let teDeviation = false;
  if (!result.valid && result.failure === 'schema' && xml.includes(TE_RECEIVER_NAME)) {
    const patched = validator.validate('UPO-v4-3', xml.replace(`>${TE_RECEIVER_NAME}<`, `>${SCHEMA_RECEIVER_NAME}<`), FIELDS);
    if (patched.valid) {
      result = patched;
      teDeviation = true;
    }
  }
  if (!result.valid) return { valid: false as const, problem: `UPO fails the UPO v4-3 schema (${result.failure}): ${result.problems.slice(0, 3).map((p) => p.message.trim()).join('; ')}` };
  return { valid: true as const, result, teDeviation };
}
