import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** HTTP headers of every webhook POST (lower-case; HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = {
  eventId: 'x-ksef-bridge-event-id',
  eventType: 'x-ksef-bridge-event-type',
  /** Unix time in seconds when this attempt was signed. */
  timestamp: 'x-ksef-bridge-timestamp',
  /** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` */
  signature: 'x-ksef-bridge-signature',
  deliveryId: 'x-ksef-bridge-delivery-id',
  attempt: 'x-ksef-bridge-delivery-attempt',
} as const;

const VERSION = 'v1';

/** A new webhook signing secret: `whsec_` + 32 random bytes base64url. The whole string is the HMAC key. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Hex HMAC-SHA256 over `${timestamp}.${body}` with the secret's UTF-8 bytes as the key. */
export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The signature header value. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `${VERSION}=${computeSignature(secret, timestamp, body)}`;
}

export interface VerifyInput {
  secret: string;
  /** The raw body bytes as received, before any JSON parsing. */
  body: string;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  /** Allowed clock difference, default 300 s. */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/**
 * What an integrator does (docs/notifier.md has the same in Node and Python): recompute the HMAC over the raw body,
 * compare in constant time against every `v1=` entry, and refuse timestamps outside the tolerance (replays).
 */
export function verifyWebhookSignature(input: VerifyInput): boolean {
  const timestamp = Number(input.timestampHeader);
  if (!input.timestampHeader || !Number.isInteger(timestamp)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(computeSignature(input.secret, timestamp, input.body), 'hex');
  return (input.signatureHeader ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${VERSION}=`))
    .some((part) => {
      const given = Buffer.from(part.slice(VERSION.length + 1), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
