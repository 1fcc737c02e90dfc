import { constants, createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import type { VerificationCode } from '../kod-i';
import {
  keyMatchesCertificate,
  normalizeSerial,
  signingAlgorithmOf,
  toCertificate,
  toPrivateKey,
  type CertificateInput,
  type PrivateKeyInput,
  type SigningAlgorithm,
} from './kod-ii-keys';
import { kodIIUnsignedLink, parseKodIIUrl, type KodIIParts, type KsefContextType } from './kod-ii-url';

/** Caption under KOD II (API.md §11). */
export const KOD_II_CAPTION = 'CERTYFIKAT';

/** RSASSA-PSS parameters of KOD II: SHA-256, MGF1-SHA-256 (Node's default for the digest), 32-byte salt. */
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

export interface KodIIOptions {
  /** `test` | `demo` | `production` (default), or give `qrBaseUrl`. */
  environment?: KsefEnvironment;
  qrBaseUrl?: string;
  /** The context the invoice is issued in (usually `Nip` with the seller's NIP). */
  contextType: KsefContextType;
  contextValue: string;
  /** Seller NIP (Podmiot1/NIP), 10 digits. */
  sellerNip: string;
  /** The invoice file exactly as it will be sent to KSeF … */
  invoice?: Buffer | string;
  /** … or its SHA-256 (standard Base64, as in `invoiceHash`). */
  invoiceHash?: string;
  /** The tenant's KSeF certificate of type Offline (PEM or DER). An Authentication certificate is not allowed by KSeF. */
  certificate: CertificateInput;
  /** Its private key. */
  privateKey: PrivateKeyInput;
  passphrase?: string;
  /** Serial as KSeF reports it (16 hex digits); default: read from the certificate. */
  certificateSerial?: string;
  /** ECDSA only: `ieee-p1363` (r‖s, the recommended default) or `der`. */
  ecdsaSignatureEncoding?: 'ieee-p1363' | 'der';
  /** The certificate must be valid at this instant (default: now). */
  at?: Date;
}

function invoiceHashOf(options: { invoice?: Buffer | string; invoiceHash?: string }): string {
  let digest: Buffer;
  if (options.invoice !== undefined) digest = createHash('sha256').update(options.invoice).digest();
  else if (options.invoiceHash !== undefined) digest = Buffer.from(options.invoiceHash, 'base64');
  else throw new RangeError('give invoice or invoiceHash');
  if (digest.length !== 32) throw new RangeError('invoiceHash must be a Base64 SHA-256 digest');
  return digest.toString('base64url');
}

function signText(text: string, key: KeyObject, algorithm: SigningAlgorithm, encoding: 'ieee-p1363' | 'der'): Buffer {
  const data = Buffer.from(text, 'utf8');
  return algorithm === 'RSASSA-PSS' ? sign('sha256', data, { key, ...PSS }) : sign('sha256', data, { key, dsaEncoding: encoding });
}

/**
 * KOD II, only on invoices issued offline (API.md §11): `{qrBase}/certificate/{contextType}/{contextValue}/{sellerNIP}/
 * {certificate serial}/{Base64URL(SHA-256 of the invoice)}/{signature}`, where the signature (Base64URL) covers the
 * link without `https://` and without the trailing slash, made with the Offline certificate's private key:
 * RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt, ≥ 2048-bit key) or ECDSA P-256 SHA-256. Refuses a key that does not
 * belong to the certificate, and a certificate not valid at `at`.
 */
export function buildKodIIUrl(options: KodIIOptions): string {
  const certificate = toCertificate(options.certificate);
  const key = toPrivateKey(options.privateKey, options.passphrase);
  const algorithm = signingAlgorithmOf(key);
  if (!keyMatchesCertificate(key, certificate)) throw new RangeError('privateKey does not belong to the certificate');
  const at = options.at ?? new Date();
  if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo)) {
    throw new RangeError(`the certificate is valid from ${certificate.validFrom} to ${certificate.validTo}, not at ${at.toISOString()}`);
  }
  const serial = (options.certificateSerial ?? certificate.serialNumber).toUpperCase();
  if (normalizeSerial(serial) !== normalizeSerial(certificate.serialNumber)) {
    throw new RangeError(`certificateSerial ${serial} is not the certificate's serial ${certificate.serialNumber}`);
  }
  const { link, signedText } = kodIIUnsignedLink({ ...options, certificateSerial: serial, invoiceHash: invoiceHashOf(options) });
  return `${link}/${signText(signedText, key, algorithm, options.ecdsaSignatureEncoding ?? 'ieee-p1363').toString('base64url')}`;
}

/** KOD II link and its caption `CERTYFIKAT`. */
export function kodIICode(options: KodIIOptions): VerificationCode {
  return { url: buildKodIIUrl(options), caption: KOD_II_CAPTION };
}

export type KodIIVerification = { valid: true; parts: KodIIParts; algorithm: SigningAlgorithm } | { valid: false; reason: string; parts?: KodIIParts };

/**
 * Checks a KOD II link against the certificate it names: shape, serial, signature over the link (RSASSA-PSS, or ECDSA
 * in either encoding), and, when `invoice` is given, that the link's hash is that file's. What an ERP or an auditor
 * runs on a printed code; it never throws for a bad link, it says why it is not valid.
 */
export function verifyKodIIUrl(url: string, certificateInput: CertificateInput, expect: { invoice?: Buffer | string } = {}): KodIIVerification {
  let parts: KodIIParts;
  try {
    parts = parseKodIIUrl(url);
  } catch (error) {
    return { valid: false, reason: (error as Error).message };
  }
  const certificate = toCertificate(certificateInput);
  if (normalizeSerial(parts.certificateSerial) !== normalizeSerial(certificate.serialNumber)) {
    return { valid: false, reason: `the link names certificate ${parts.certificateSerial}, not ${certificate.serialNumber}`, parts };
  }
  if (expect.invoice !== undefined && invoiceHashOf({ invoice: expect.invoice }) !== parts.invoiceHash) {
    return { valid: false, reason: 'the link is for another invoice file (hash differs)', parts };
  }
  const key = certificate.publicKey;
  let algorithm: SigningAlgorithm;
  try {
    algorithm = signingAlgorithmOf(key);
  } catch (error) {
    return { valid: false, reason: (error as Error).message, parts };
  }
  const data = Buffer.from(parts.signedText, 'utf8');
  const signature = Buffer.from(parts.signature, 'base64url');
  const ok =
    algorithm === 'RSASSA-PSS'
      ? verify('sha256', data, { key, ...PSS }, signature)
      : verify('sha256', data, { key, dsaEncoding: signature.length === 64 ? 'ieee-p1363' : 'der' }, signature);
  return ok ? { valid: true, parts, algorithm } : { valid: false, reason: 'the signature does not match the link and the certificate', parts };
}
