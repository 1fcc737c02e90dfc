import { X509Certificate, constants, createCipheriv, createDecipheriv, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import type { EncryptionInfo, PublicKeyCertificate, PublicKeyCertificateUsage } from '../model/ksef-api.types';

/** SHA-256 of `data`, standard Base64 (44 characters), as KSeF expects in every hash field. */
export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

/** A fresh AES-256 key (32 bytes) and IV (16 bytes); one pair per session (API.md §3). */
export interface SymmetricKey {
  key: Buffer;
  iv: Buffer;
}

export function generateSymmetricKey(): SymmetricKey {
  return { key: randomBytes(32), iv: randomBytes(16) };
}

/** AES-256-CBC with PKCS#7 padding. The IV is not prepended: KSeF receives it in `initializationVector`. */
export function aesEncrypt(plain: Buffer, { key, iv }: SymmetricKey): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

export function aesDecrypt(encrypted: Buffer, { key, iv }: SymmetricKey): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

/** RSA-OAEP with SHA-256 and MGF1-SHA-256 (Node uses the same hash for MGF1), with the certificate's public key. */
export function rsaOaepEncrypt(data: Buffer, certificate: PublicKeyCertificate): Buffer {
  const x509 = new X509Certificate(Buffer.from(certificate.certificate, 'base64'));
  return publicEncrypt({ key: x509.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
}

/** `encryption` block of a session open: the AES key wrapped with the `SymmetricKeyEncryption` certificate. */
export function buildEncryptionInfo(symmetric: SymmetricKey, certificate: PublicKeyCertificate): EncryptionInfo {
  return {
    encryptedSymmetricKey: rsaOaepEncrypt(symmetric.key, certificate).toString('base64'),
    initializationVector: symmetric.iv.toString('base64'),
    publicKeyId: certificate.publicKeyId,
  };
}

/** `encryptedToken` for KSeF-token authentication: RSA-OAEP of UTF-8 `token|timestampMs`. */
export function encryptKsefToken(ksefToken: string, timestampMs: number, certificate: PublicKeyCertificate): string {
  return rsaOaepEncrypt(Buffer.from(`${ksefToken}|${timestampMs}`, 'utf8'), certificate).toString('base64');
}

/**
 * Picks the certificate for `usage` that is valid at `now`. During a key rotation KSeF lists two per usage: the one
 * valid longest wins, so a fresh key is adopted as soon as it is valid. Returns undefined when none is valid.
 */
export function selectPublicKeyCertificate(
  certificates: readonly PublicKeyCertificate[],
  usage: PublicKeyCertificateUsage,
  now: Date = new Date(),
): PublicKeyCertificate | undefined {
  const t = now.getTime();
  return certificates
    .filter((c) => c.usage.includes(usage) && Date.parse(c.validFrom) <= t && t < Date.parse(c.validTo))
    .sort((a, b) => Date.parse(b.validTo) - Date.parse(a.validTo))[0];
}

/** Encrypted invoice fields for `POST /sessions/online/{ref}/invoices`, hashes computed on the exact bytes sent. */
export interface PreparedInvoice {
  invoiceHash: string;
  invoiceSize: number;
  encryptedInvoiceHash: string;
  encryptedInvoiceSize: number;
  encryptedInvoiceContent: string;
}

export function encryptInvoice(invoice: Buffer, symmetric: SymmetricKey): PreparedInvoice {
  const encrypted = aesEncrypt(invoice, symmetric);
  return {
    invoiceHash: sha256Base64(invoice),
    invoiceSize: invoice.length,
    encryptedInvoiceHash: sha256Base64(encrypted),
    encryptedInvoiceSize: encrypted.length,
    encryptedInvoiceContent: encrypted.toString('base64'),
  };
}
