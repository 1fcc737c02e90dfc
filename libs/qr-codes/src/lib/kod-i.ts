import { buildKodIUrl, kodICaption, validateKsefNumber, type KodIOptions } from '@ksef-bridge/ksef-client';

/** Caption of KOD I while the invoice has no KSeF number yet (offline, or online still waiting for it). */
export const KOD_I_OFFLINE_CAPTION = 'OFFLINE';

/** A verification code to print: the link the QR symbol encodes and the text under it. */
export interface VerificationCode {
  url: string;
  caption: string;
}

export interface KodICodeOptions extends KodIOptions {
  /** The invoice's KSeF number once KSeF assigned it; the caption is `OFFLINE` without it. */
  ksefNumber?: string;
}

/**
 * KOD I, on every invoice (API.md §11): the link `{qrBase}/invoice/{sellerNIP}/{P_1 as DD-MM-YYYY}/{Base64URL(SHA-256
 * of the invoice file)}`, built by the KSeF client's `buildKodIUrl`, and the caption: the KSeF number if known, else
 * `OFFLINE`. A malformed KSeF number is refused rather than printed.
 */
export function kodICode(options: KodICodeOptions): VerificationCode {
  if (options.ksefNumber !== undefined) {
    const check = validateKsefNumber(options.ksefNumber);
    if (!check.valid) throw new RangeError(`ksefNumber is not a KSeF number: ${check.reason}`);
  }
  return { url: buildKodIUrl(options), caption: kodICaption(options.ksefNumber) };
}
