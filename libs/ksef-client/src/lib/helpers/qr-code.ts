import { createHash } from 'node:crypto';

/** QR base URLs per environment (API.md §1). */
export const KSEF_QR_BASE_URLS = {
  test: 'https://qr-test.ksef.mf.gov.pl',
  demo: 'https://qr-demo.ksef.mf.gov.pl',
  production: 'https://qr.ksef.mf.gov.pl',
} as const;
export type KsefEnvironment = keyof typeof KSEF_QR_BASE_URLS;

export interface KodIOptions {
  /** `test` | `demo` | `production`, or give `qrBaseUrl`. */
  environment?: KsefEnvironment;
  qrBaseUrl?: string;
  /** Seller NIP (Podmiot1/NIP), 10 digits. */
  sellerNip: string;
  /** Issue date P_1, `YYYY-MM-DD`. */
  issueDate: string;
  /** The invoice file exactly as sent to KSeF … */
  invoice?: Buffer | string;
  /** … or its SHA-256 (standard Base64, as in `invoiceHash`). */
  invoiceHash?: string;
}

/**
 * Verification link of QR KOD I (every invoice):
 * `{qrBase}/invoice/{sellerNIP}/{P_1 as DD-MM-YYYY}/{Base64URL(SHA-256 of the invoice file), no padding}`.
 * The caption under the code is the KSeF number, or `OFFLINE` before there is one.
 */
export function buildKodIUrl(options: KodIOptions): string {
  if (!/^\d{10}$/.test(options.sellerNip)) throw new RangeError('sellerNip must be 10 digits');
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options.issueDate);
  if (!date) throw new RangeError('issueDate must be YYYY-MM-DD');
  const base = (options.qrBaseUrl ?? KSEF_QR_BASE_URLS[options.environment ?? 'production']).replace(/\/+$/, '');
  let digest: Buffer;
  if (options.invoice !== undefined) digest = createHash('sha256').update(options.invoice).digest();
  else if (options.invoiceHash !== undefined) digest = Buffer.from(options.invoiceHash, 'base64');
  else throw new RangeError('give invoice or invoiceHash');
  if (digest.length !== 32) throw new RangeError('invoiceHash must be a Base64 SHA-256 digest');
  return `${base}/invoice/${options.sellerNip}/${date[3]}-${date[2]}-${date[1]}/${digest.toString('base64url')}`;
}

/** Caption printed under KOD I. */
export function kodICaption(ksefNumber: string | undefined): string {
  return ksefNumber ?? 'OFFLINE';
}
