import { randomBytes } from 'node:crypto';
import { crc8 } from './crc8';

/**
 * Two-letter operation types seen in KSeF reference numbers: AU authentication, SO online session, SB batch session,
 * EE invoice in a session, EC/EH/EG/EU/CR other operations (exports, UPO pages, tokens, certificates).
 */
export type ReferenceNumberType = 'AU' | 'SO' | 'SB' | 'EE' | 'EC' | 'EH' | 'EG' | 'EU' | 'CR';

/** `YYYYMMDD-TT-XXXXXXXXXX-XXXXXXXXXX-XX`; the last group is the CRC-8 of the first 33 characters (as in KSeF's own). */
export const REFERENCE_NUMBER_PATTERN = /^(\d{8})-([A-Z]{2})-([0-9A-F]{10})-([0-9A-F]{10})-([0-9A-F]{2})$/;

function checksum(body: string): string {
  return crc8(body).toString(16).toUpperCase().padStart(2, '0');
}

/** A fresh 36-character reference number of `type` dated `date` (UTC day). `random` (10 bytes) makes it reproducible. */
export function generateReferenceNumber(type: ReferenceNumberType | string, date: Date = new Date(), random?: Buffer): string {
  if (!/^[A-Z]{2}$/.test(type)) throw new RangeError(`reference type must be two uppercase letters, got '${type}'`);
  const bytes = random ?? randomBytes(10);
  if (bytes.length !== 10) throw new RangeError('random must be 10 bytes');
  const hex = bytes.toString('hex').toUpperCase();
  const day = date.toISOString().slice(0, 10).replace(/-/g, '');
  const body = `${day}-${type}-${hex.slice(0, 10)}-${hex.slice(10)}`;
  return `${body}-${checksum(body)}`;
}

/** True if `value` has the reference-number shape and its checksum matches. Clients should still treat them as opaque. */
export function isValidReferenceNumber(value: string): boolean {
  return REFERENCE_NUMBER_PATTERN.test(value) && checksum(value.slice(0, 33)) === value.slice(34);
}

/** The two-letter type of a well-formed reference number, or undefined. */
export function referenceNumberType(value: string): string | undefined {
  return REFERENCE_NUMBER_PATTERN.exec(value)?.[2];
}
