import { randomBytes } from 'node:crypto';
import { crc8 } from './crc8';
import { isValidNip } from './nip';

/**
 * KSeF number: `NNNNNNNNNN-YYYYMMDD-HHHHHHHHHHHH-CC` (35 chars) — seller NIP, acceptance date, 12 uppercase hex
 * (technical part), CRC-8 of the first 32 characters as 2 uppercase hex. The official OpenAPI pattern also admits a
 * 36-char form with a hyphen inside the technical part (KSeF 1.0 compatibility); we accept it and never generate it.
 */
export const KSEF_NUMBER_PATTERN =
  /^([1-9](\d[1-9]|[1-9]\d)\d{7})-(20[2-9][0-9]|2[1-9]\d{2}|[3-9]\d{3})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-([0-9A-F]{6})-?([0-9A-F]{6})-([0-9A-F]{2})$/;

export interface KsefNumberParts {
  sellerNip: string;
  /** Acceptance date as `YYYYMMDD`. */
  date: string;
  /** The 12 hex characters of the technical part (without the optional KSeF 1.0 hyphen). */
  technicalPart: string;
  checksum: string;
}

export type KsefNumberCheck = { valid: true; parts: KsefNumberParts } | { valid: false; reason: 'format' | 'date' | 'checksum' };

/** Checksum (2 uppercase hex) of the part of a KSeF number before the final hyphen. */
export function ksefNumberChecksum(body: string): string {
  return crc8(body).toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Builds a 35-character KSeF number. `technicalPart` (12 uppercase hex) defaults to random; pass one for
 * reproducible numbers. `date` is the acceptance date (UTC calendar day is used for a Date).
 */
export function generateKsefNumber(sellerNip: string, date: Date | string, technicalPart?: string): string {
  if (!/^\d{10}$/.test(sellerNip)) throw new RangeError(`seller NIP must be 10 digits, got '${sellerNip}'`);
  const day = typeof date === 'string' ? date : date.toISOString().slice(0, 10).replace(/-/g, '');
  if (!/^\d{8}$/.test(day)) throw new RangeError(`date must be YYYYMMDD, got '${day}'`);
  const tech = technicalPart ?? randomBytes(6).toString('hex').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(tech)) throw new RangeError(`technical part must be 12 uppercase hex characters, got '${tech}'`);
  const body = `${sellerNip}-${day}-${tech}`;
  return `${body}-${ksefNumberChecksum(body)}`;
}

/** Parses and checks a KSeF number: the official pattern, a real calendar date, and the CRC-8 checksum. */
export function checkKsefNumber(value: string): KsefNumberCheck {
  const match = KSEF_NUMBER_PATTERN.exec(value);
  if (!match) return { valid: false, reason: 'format' };
  const [, sellerNip, , year, month, dayOfMonth, techA, techB, checksum] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(dayOfMonth)));
  if (date.getUTCMonth() !== Number(month) - 1) return { valid: false, reason: 'date' };
  const body = value.slice(0, value.length - 3);
  if (ksefNumberChecksum(body) !== checksum) return { valid: false, reason: 'checksum' };
  return { valid: true, parts: { sellerNip, date: `${year}${month}${dayOfMonth}`, technicalPart: techA + techB, checksum } };
}

/** True if `value` is a well-formed KSeF number with a correct checksum. */
export function isValidKsefNumber(value: string): boolean {
  return checkKsefNumber(value).valid;
}

/** True if the seller part of a KSeF number is also a NIP with a valid NIP checksum (KSeF numbers are issued to NIPs). */
export function hasValidSellerNip(value: string): boolean {
  const check = checkKsefNumber(value);
  return check.valid && isValidNip(check.parts.sellerNip);
}
