import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';

/** A certificate as PEM text, DER bytes, or a parsed `X509Certificate`. */
export type CertificateInput = string | Buffer | X509Certificate;
/** A private key as PEM (PKCS#8, PKCS#1 or SEC1), PKCS#8 DER bytes, or a `KeyObject`. */
export type PrivateKeyInput = string | Buffer | KeyObject;

export type SigningAlgorithm = 'RSASSA-PSS' | 'ECDSA-P256';

export function toCertificate(input: CertificateInput): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    return new X509Certificate(input);
  } catch (error) {
    throw new RangeError(`certificate is not a PEM or DER X.509 certificate (${(error as Error).message})`);
  }
}

export function toPrivateKey(input: PrivateKeyInput, passphrase?: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new RangeError('privateKey must be a private key');
    return input;
  }
  try {
    const pem = typeof input === 'string' || input.subarray(0, 10).toString('latin1').startsWith('-----');
    return pem ? createPrivateKey({ key: input, passphrase }) : createPrivateKey({ key: input, format: 'der', type: 'pkcs8', passphrase });
  } catch (error) {
    throw new RangeError(`privateKey could not be read (${(error as Error).message})`);
  }
}

/**
 * The algorithm KOD II allows for this key (API.md §11): RSASSA-PSS with an RSA key of at least 2048 bits, or ECDSA
 * on NIST P-256. Any other key is refused: KSeF would not verify its signature.
 */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((details.modulusLength ?? 0) < 2048) throw new RangeError(`an RSA key for KOD II needs at least 2048 bits, this one has ${details.modulusLength}`);
    return 'RSASSA-PSS';
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve !== 'prime256v1') throw new RangeError(`an EC key for KOD II must be on P-256 (prime256v1), not ${details.namedCurve}`);
    return 'ECDSA-P256';
  }
  throw new RangeError(`KOD II is signed with RSA or EC P-256 keys, not ${key.asymmetricKeyType}`);
}

/** True when the private key belongs to the certificate (same SubjectPublicKeyInfo). */
export function keyMatchesCertificate(key: KeyObject, certificate: X509Certificate): boolean {
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  return spki(createPublicKey(key)).equals(spki(certificate.publicKey));
}

/** Hex serial number, upper case, leading zero bytes dropped, for comparisons. */
export function normalizeSerial(serial: string): string {
  return serial.toUpperCase().replace(/^(00)+(?=[0-9A-F]{2})/, '');
}
