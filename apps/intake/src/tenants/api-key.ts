import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes a leaked key recognisable by secret scanners. */
const PREFIX = 'ksb_';

/** A new API key: 32 random bytes, base64url, prefixed. Shown once; only its SHA-256 is stored. */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of the key. A fast hash is enough here (unlike passwords): the key has 256 bits of entropy, so there is
 * nothing to brute-force, and lookups stay one index probe.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Cheap shape check before touching the database. */
export function looksLikeApiKey(value: string): boolean {
  return /^ksb_[A-Za-z0-9_-]{43}$/.test(value);
}
