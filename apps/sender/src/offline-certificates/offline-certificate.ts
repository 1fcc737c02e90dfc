import type { KeyObject, X509Certificate } from 'node:crypto';
import { PermanentError } from '@ksef-bridge/errors';
import { keyMatchesCertificate, signingAlgorithmOf, toCertificate, toPrivateKey, type SigningAlgorithm } from '@ksef-bridge/qr-codes';

/** Why an Offline certificate is refused at registration (stable codes, never retriable: the input must change). */
export type OfflineCertificateRefusal =
  | 'OFFLINE_CERTIFICATE_UNREADABLE'
  | 'OFFLINE_KEY_UNREADABLE'
  | 'OFFLINE_KEY_MISMATCH'
  | 'OFFLINE_KEY_UNSUPPORTED'
  | 'OFFLINE_CERTIFICATE_NOT_VALID';

export class OfflineCertificateError extends PermanentError {
  constructor(
    readonly refusal: OfflineCertificateRefusal,
    message: string,
  ) {
    super(refusal, message);
  }
}

/** What is stored about a checked Offline certificate; the key is unencrypted PKCS#8 PEM here, sealed before storage. */
export interface CheckedOfflineCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Upper-case hex, as KSeF reports it and as it goes into the KOD II link. */
  serial: string;
  validFrom: Date;
  validTo: Date;
  algorithm: SigningAlgorithm;
}

/**
 * Checks a KSeF certificate of type Offline before it is stored, with libs/qr-codes' own checks (the ones
 * `buildKodIIUrl` makes when signing): both parse (the key with its passphrase), the key is RSA ≥ 2048 bits or EC
 * P-256, it belongs to the certificate, and the certificate is valid now. A passphrase-protected key is stored
 * decrypted (PKCS#8) and sealed like every other secret of the sender, so the passphrase itself is never kept.
 *
 * Whether the certificate really is of KSeF type Offline cannot be read from the X.509 (KSeF records the type at
 * enrolment); an Authentication certificate registered here produces links KSeF will not accept.
 */
export function checkOfflineCertificate(certificatePem: string, privateKeyPem: string, passphrase?: string, now = new Date()): CheckedOfflineCertificate {
  let certificate: X509Certificate;
  try {
    certificate = toCertificate(certificatePem);
  } catch (error) {
    throw new OfflineCertificateError('OFFLINE_CERTIFICATE_UNREADABLE', `the certificate is not a PEM X.509 certificate: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = toPrivateKey(privateKeyPem, passphrase);
  } catch (error) {
    const hint = passphrase === undefined ? ' (an encrypted key needs its passphrase)' : ' (or the passphrase is wrong)';
    throw new OfflineCertificateError('OFFLINE_KEY_UNREADABLE', `the private key could not be read${hint}: ${(error as Error).message}`);
  }
  let algorithm: SigningAlgorithm;
  try {
    algorithm = signingAlgorithmOf(key);
  } catch (error) {
    throw new OfflineCertificateError('OFFLINE_KEY_UNSUPPORTED', (error as Error).message);
  }
  if (!keyMatchesCertificate(key, certificate)) throw new OfflineCertificateError('OFFLINE_KEY_MISMATCH', 'the private key does not belong to the certificate');
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (now < validFrom || now > validTo) {
    throw new OfflineCertificateError('OFFLINE_CERTIFICATE_NOT_VALID', `the certificate is not valid now (valid ${validFrom.toISOString()} – ${validTo.toISOString()})`);
  }
  return {
    certificatePem: certificate.toString(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serial: certificate.serialNumber.toUpperCase(),
    validFrom,
    validTo,
    algorithm,
  };
}
