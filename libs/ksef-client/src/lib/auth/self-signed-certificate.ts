import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { XadesSigningCredentials } from './xades-signer';

export interface SelfSignedCertificateOptions {
  /** Identity KSeF reads from the certificate (API.md §2). */
  subject:
    | { type: 'seal'; nip: string; organizationName?: string }
    | { type: 'person-nip'; nip: string; givenName?: string; surname?: string }
    | { type: 'person-pesel'; pesel: string; givenName?: string; surname?: string };
  /** Validity in days from now. Default 30. */
  validDays?: number;
  /** RSA modulus length. Default 2048 (KSeF's minimum). */
  modulusLength?: number;
}

/**
 * A self-signed RSA certificate carrying a NIP or PESEL the way KSeF reads it: seals by
 * `organizationIdentifier` (2.5.4.97) `VATPL-<nip>`, persons by `serialNumber` (2.5.4.5) `TINPL-<nip>` / `PNOPL-<pesel>`.
 * KSeF's test environment accepts self-signed certificates for XAdES authentication; production does not.
 */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): XadesSigningCredentials & { certificatePem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // Positive serial: a leading 0x01 byte keeps the DER INTEGER positive.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.validDays ?? 30) * 86_400_000);
  const s = options.subject;
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'PL' }];
  if (s.type === 'seal') {
    const org = s.organizationName ?? `Test ${s.nip}`;
    attrs.push({ shortName: 'O', value: org }, { type: '2.5.4.97', value: `VATPL-${s.nip}` }, { shortName: 'CN', value: org });
  } else {
    const given = s.givenName ?? 'Jan';
    const surname = s.surname ?? 'Testowy';
    const serial = s.type === 'person-nip' ? `TINPL-${s.nip}` : `PNOPL-${s.pesel}`;
    attrs.push({ type: '2.5.4.42', value: given }, { type: '2.5.4.4', value: surname }, { type: '2.5.4.5', value: serial }, { shortName: 'CN', value: `${given} ${surname}` });
  }
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  return { certificate: certificatePem, privateKey: privatePem, certificatePem, privateKeyPem: privatePem };
}
