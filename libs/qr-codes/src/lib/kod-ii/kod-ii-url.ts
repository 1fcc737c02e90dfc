import { KSEF_QR_BASE_URLS, type KsefEnvironment } from '@ksef-bridge/ksef-client';

/** Context identifier types KOD II may name (open-api.json `AuthenticationContextIdentifierType`). */
export const KSEF_CONTEXT_TYPES = ['Nip', 'InternalId', 'NipVatUe', 'PeppolId'] as const;
export type KsefContextType = (typeof KSEF_CONTEXT_TYPES)[number];

// Shapes from open-api.json (`Nip`, `InternalId`, `PeppolId`; `NipVatUe` as NIP + '-' + an EU VAT number, whose
// per-country alternatives are summarised here): every value is also safe as one URL path segment.
const CONTEXT_VALUE: Record<KsefContextType, RegExp> = {
  Nip: /^\d{10}$/,
  InternalId: /^\d{10}-\d{5}$/,
  NipVatUe: /^\d{10}-[A-Z]{2}[0-9A-Z+*]{2,13}$/,
  PeppolId: /^P[A-Z]{2}\d{6}$/,
};
const SERIAL = /^[0-9A-F]{2,40}$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{40,1400}$/;

/** What a KOD II link says, with the text its signature covers. */
export interface KodIIParts {
  /** Base URL as printed, e.g. `https://qr.ksef.mf.gov.pl`. */
  qrBaseUrl: string;
  contextType: KsefContextType;
  contextValue: string;
  sellerNip: string;
  certificateSerial: string;
  /** Base64URL SHA-256 of the invoice file, no padding. */
  invoiceHash: string;
  /** Base64URL signature, no padding. */
  signature: string;
  /** The link without `https://`, without the signature and without a trailing slash: what was signed. */
  signedText: string;
}

export interface KodIILinkFields {
  environment?: KsefEnvironment;
  qrBaseUrl?: string;
  contextType: KsefContextType;
  contextValue: string;
  sellerNip: string;
  certificateSerial: string;
  /** Base64URL SHA-256 of the invoice file. */
  invoiceHash: string;
}

/** Checks the fields and returns the link up to the invoice hash (with scheme) and the text to sign (without). */
export function kodIIUnsignedLink(fields: KodIILinkFields): { link: string; signedText: string } {
  if (!KSEF_CONTEXT_TYPES.includes(fields.contextType)) throw new RangeError(`contextType must be one of ${KSEF_CONTEXT_TYPES.join(', ')}`);
  if (!CONTEXT_VALUE[fields.contextType].test(fields.contextValue)) throw new RangeError(`contextValue '${fields.contextValue}' is not a valid ${fields.contextType}`);
  if (!/^\d{10}$/.test(fields.sellerNip)) throw new RangeError('sellerNip must be 10 digits');
  if (!SERIAL.test(fields.certificateSerial)) throw new RangeError('certificateSerial must be upper-case hex (as KSeF reports it)');
  if (!HASH.test(fields.invoiceHash)) throw new RangeError('invoiceHash must be a Base64URL SHA-256 digest without padding');
  const base = (fields.qrBaseUrl ?? KSEF_QR_BASE_URLS[fields.environment ?? 'production']).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(base)) throw new RangeError(`qrBaseUrl '${base}' is not an http(s) URL without query or fragment`);
  const link = `${base}/certificate/${fields.contextType}/${fields.contextValue}/${fields.sellerNip}/${fields.certificateSerial}/${fields.invoiceHash}`;
  return { link, signedText: link.replace(/^https?:\/\//, '') };
}

/** Splits a KOD II link into its fields; a link of any other shape is refused with a RangeError naming the problem. */
export function parseKodIIUrl(url: string): KodIIParts {
  const at = url.lastIndexOf('/certificate/');
  if (at < 0) throw new RangeError('not a KOD II link: no /certificate/ segment');
  const qrBaseUrl = url.slice(0, at);
  const segments = url.slice(at + '/certificate/'.length).split('/');
  if (segments.length !== 6) throw new RangeError(`a KOD II link has 6 segments after /certificate/, this one has ${segments.length}`);
  const [contextType, contextValue, sellerNip, certificateSerial, invoiceHash, signature] = segments as [KsefContextType, string, string, string, string, string];
  if (!SIGNATURE.test(signature)) throw new RangeError('the signature segment is not Base64URL');
  const { signedText } = kodIIUnsignedLink({ qrBaseUrl, contextType, contextValue, sellerNip, certificateSerial, invoiceHash });
  return { qrBaseUrl, contextType, contextValue, sellerNip, certificateSerial, invoiceHash, signature, signedText };
}
