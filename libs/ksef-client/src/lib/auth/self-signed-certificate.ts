import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
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
  /** `rsa` (default) or `ec` (P-256, ECDSA). */
  keyType?: 'rsa' | 'ec';
  /** RSA modulus length. Default 2048 (KSeF's minimum). */
  modulusLength?: number;
}

/**
 * A self-signed RSA (or EC P-256) certificate carrying a NIP or PESEL the way KSeF reads it: seals by
 * `organizationIdentifier` (2.5.4.97) `VATPL-<nip>`, persons by `serialNumber` (2.5.4.5) `TINPL-<nip>` / `PNOPL-<pesel>`.
 * KSeF's test environment accepts self-signed certificates for XAdES authentication; production does not.
 */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): XadesSigningCredentials & { certificatePem: string; privateKeyPem: string } {
  const cert = forge.pki.createCertificate();
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

  if (options.keyType === 'ec') {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const certificatePem = ecCertificatePem(cert, publicKey, privateKey);
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    return { certificate: certificatePem, privateKey: privatePem, certificatePem, privateKeyPem: privatePem };
  }

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  return { certificate: certificatePem, privateKey: privatePem, certificatePem, privateKeyPem: privatePem };
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/**
 * node-forge signs RSA certificates only, so an EC certificate is assembled here: forge encodes the names and the
 * ASN.1 structure, Node signs the TBSCertificate with ECDSA-SHA256 (DER signature, as X.509 requires).
 */
function ecCertificatePem(template: forge.pki.Certificate, publicKey: KeyObject, privateKey: KeyObject): string {
  const { asn1 } = forge;
  const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
  const algorithm = seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ECDSA_WITH_SHA256).getBytes())]);
  const spki = asn1.fromDer(forge.util.createBuffer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary')));
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes())]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(template.serialNumber)),
    algorithm,
    forge.pki.distinguishedNameToAsn1(template.issuer),
    seq([
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(template.validity.notBefore)),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(template.validity.notAfter)),
    ]),
    forge.pki.distinguishedNameToAsn1(template.subject),
    spki,
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = createSign('SHA256').update(tbsDer).sign({ key: privateKey, dsaEncoding: 'der' });
  const certificate = seq([tbs, algorithm, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`)]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() });
}
