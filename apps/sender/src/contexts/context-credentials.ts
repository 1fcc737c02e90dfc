import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KsefCredentials } from '@ksef-bridge/ksef-client';

/**
 * What a context authenticates to KSeF with, as one sealed secret string: a KSeF token as is (rows registered before
 * certificates existed hold exactly that), or a certificate and its private key for XAdES-signed authentication,
 * written as `xades:` + JSON. A KSeF token never starts with `xades:{`, so the two cannot be confused.
 */
export type ContextCredentials = { kind: 'ksef-token'; token: string } | { kind: 'xades'; certificatePem: string; privateKeyPem: string };

const XADES_PREFIX = 'xades:';

export function encodeCredentials(credentials: ContextCredentials): string {
  return credentials.kind === 'ksef-token' ? credentials.token : `${XADES_PREFIX}${JSON.stringify({ certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKeyPem })}`;
}

export function decodeCredentials(secret: string): ContextCredentials {
  if (!secret.startsWith(`${XADES_PREFIX}{`)) return { kind: 'ksef-token', token: secret };
  const parsed = JSON.parse(secret.slice(XADES_PREFIX.length)) as { certificatePem?: string; privateKeyPem?: string };
  if (!parsed.certificatePem || !parsed.privateKeyPem) throw new Error('stored XAdES credentials lack the certificate or the key');
  return { kind: 'xades', certificatePem: parsed.certificatePem, privateKeyPem: parsed.privateKeyPem };
}

/** The KSeF client's credentials for a context. */
export function ksefCredentialsOf(credentials: ContextCredentials): KsefCredentials {
  return credentials.kind === 'ksef-token' ? { type: 'ksef-token', token: credentials.token } : { type: 'xades', certificate: credentials.certificatePem, privateKey: credentials.privateKeyPem };
}

/**
 * Checks a certificate and key before they are stored: both parse, the key belongs to the certificate, and the
 * certificate is valid now. A mistake found here is a clear error at registration instead of a 401 at the first send.
 */
export function checkXadesCredentials(certificatePem: string, privateKeyPem: string, now = new Date()): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (cause) {
    throw new Error(`the certificate is not a PEM X.509 certificate (${(cause as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (cause) {
    throw new Error(`the private key is not an unencrypted PEM key (${(cause as Error).message})`);
  }
  if (!certificate.checkPrivateKey(key)) throw new Error('the private key does not belong to the certificate');
  if (new Date(certificate.validTo) < now || new Date(certificate.validFrom) > now) throw new Error(`the certificate is not valid now (valid ${certificate.validFrom} – ${certificate.validTo})`);
}
