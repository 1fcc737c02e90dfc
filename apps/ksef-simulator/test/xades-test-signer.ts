import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';
import { C14nCanonicalization, SignedXml } from 'xml-crypto';

export const C14N11 = 'http://www.w3.org/2006/12/xml-c14n11';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** A self-signed test certificate naming a NIP (seal: organizationIdentifier VATPL-…) or a PESEL (serialNumber PNOPL-…). */
export function selfSignedCertificate(subject: { nip?: string; pesel?: string }, validDays = 30, notBeforeOffsetDays = 0) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = Date.now() + notBeforeOffsetDays * 86_400_000;
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + validDays * 86_400_000);
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'PL' }, { shortName: 'CN', value: 'Test' }];
  if (subject.nip) attrs.push({ type: '2.5.4.97', value: `VATPL-${subject.nip}` });
  if (subject.pesel) attrs.push({ type: '2.5.4.5', value: `PNOPL-${subject.pesel}` });
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: privatePem };
}

export function authTokenRequest(challenge: string, nip: string, namespace = 'http://ksef.mf.gov.pl/auth/token/2.0', allowedIp4?: string): string {
  const policy = allowedIp4 ? `<AuthorizationPolicy><AllowedIps><Ip4Address>${allowedIp4}</Ip4Address></AllowedIps></AuthorizationPolicy>` : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?><AuthTokenRequest xmlns="${namespace}"><Challenge>${challenge}</Challenge>` +
    `<ContextIdentifier><Nip>${nip}</Nip></ContextIdentifier><SubjectIdentifierType>certificateSubject</SubjectIdentifierType>${policy}</AuthTokenRequest>`
  );
}

/** Enveloped RSA-SHA256 signature over the whole document with the given canonicalization (C14N 1.1 or exclusive). */
export function signEnveloped(xml: string, credentials: { certificatePem: string; privateKeyPem: string }, c14n = C14N11): string {
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(credentials.certificatePem))).getBytes(), 'binary');
  const signer = new SignedXml({
    privateKey: credentials.privateKeyPem,
    publicCert: credentials.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: c14n,
    getKeyInfoContent: () => `<ds:X509Data><ds:X509Certificate>${der.toString('base64')}</ds:X509Certificate></ds:X509Data>`,
  });
  (signer.CanonicalizationAlgorithms as Record<string, unknown>)[C14N11] = C14nCanonicalization;
  signer.addReference({ xpath: '/*', isEmptyUri: true, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', c14n], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return signer.getSignedXml();
}
