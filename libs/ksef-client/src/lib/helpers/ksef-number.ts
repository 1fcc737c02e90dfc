import { checkKsefNumber } from '@ksef-bridge/ksef-spec';

export type KsefNumberValidation =
  | { valid: true; sellerNip: string; date: string; technicalPart: string }
  | { valid: false; reason: 'format' | 'date' | 'checksum' };

/**
 * Validates a KSeF number: the official pattern (35 characters, or the 36-character form the OpenAPI pattern admits),
 * a real calendar date and the CRC-8 checksum. Delegates to `@ksef-bridge/ksef-spec`, the one implementation.
 */
export function validateKsefNumber(value: string): KsefNumberValidation {
  const check = checkKsefNumber(value);
  if (!check.valid) return { valid: false, reason: check.reason };
  return { valid: true, sellerNip: check.parts.sellerNip, date: check.parts.date, technicalPart: check.parts.technicalPart };
}
