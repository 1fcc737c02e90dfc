import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { buildAuthTokenRequestXml } from './auth-token-request';
import { createSelfSignedCertificate } from './self-signed-certificate';
import { signXades, verifyXadesSignature } from './xades-signer';

const creds = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' } });
const request = buildAuthTokenRequestXml({
  challenge: '20250514-CR-226FB7B000-3ACF9BE4C0-10',
  contextIdentifier: { type: 'Nip', value: '5265877635' },
  authorizationPolicy: { allowedIps: { ip4Addresses: ['10.0.0.1'] } },
});

describe('AuthTokenRequest and XAdES', () => {
  it('builds the request in schema order', () => {
    expect(request).toContain('<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0"><Challenge>20250514-CR-226FB7B000-3ACF9BE4C0-10</Challenge><ContextIdentifier><Nip>5265877635</Nip></ContextIdentifier><SubjectIdentifierType>certificateSubject</SubjectIdentifierType><AuthorizationPolicy><AllowedIps><Ip4Address>10.0.0.1</Ip4Address></AllowedIps></AuthorizationPolicy></AuthTokenRequest>');
  });

  it('produces an enveloped XAdES-BES signature that verifies and breaks when the content changes', () => {
    const signed = signXades(request, creds, { signingTime: new Date('2026-01-01T10:00:00Z') });
    expect(verifyXadesSignature(signed)).toBe(true);
    expect(verifyXadesSignature(signed.replace('<Nip>5265877635</Nip>', '<Nip>5265877636</Nip>'))).toBe(false);
    expect(verifyXadesSignature(signed.replace('2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z'))).toBe(false);
  });

  it('uses parameters KSeF accepts: enveloped, exclusive C14N, RSA-SHA256, SignedProperties reference', () => {
    const signed = signXades(request, creds);
    const doc = new DOMParser().parseFromString(signed, 'text/xml');
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
    expect(sig.parentNode?.nodeName).toBe('AuthTokenRequest');
    expect(signed).toContain('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>');
    expect(signed).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>');
    expect(signed).toContain('<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>');
    expect(signed).toContain('Type="http://uri.etsi.org/01903#SignedProperties"');
    const target = /Target="#([^"]+)"/.exec(signed)![1];
    expect(sig.getAttribute('Id')).toBe(target);
    const serial = /<ds:X509SerialNumber>(\d+)<\/ds:X509SerialNumber>/.exec(signed)![1];
    expect(BigInt(serial!)).toBe(BigInt(`0x${new X509Certificate(creds.certificatePem).serialNumber}`));
  });

  it('writes NIP and PESEL where KSeF reads them', () => {
    const seal = new X509Certificate(creds.certificatePem);
    expect(seal.subject).toContain('VATPL-5265877635');
    const person = new X509Certificate(createSelfSignedCertificate({ subject: { type: 'person-pesel', pesel: '90010112345' } }).certificatePem);
    expect(person.subject).toContain('serialNumber=PNOPL-90010112345');
  });
});

describe('XAdES with an EC P-256 key', () => {
  it('creates a valid self-signed EC certificate and an ECDSA-SHA256 (r‖s) signature that verifies', () => {
    const ec = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, keyType: 'ec' });
    const x509 = new X509Certificate(ec.certificatePem);
    expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.subject).toContain('VATPL-5265877635');
    const signed = signXades(request, ec);
    expect(signed).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"');
    const value = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(signed)![1]!;
    expect(Buffer.from(value, 'base64')).toHaveLength(64);
    expect(verifyXadesSignature(signed)).toBe(true);
    expect(verifyXadesSignature(signed.replace('<Nip>5265877635</Nip>', '<Nip>5265877636</Nip>'))).toBe(false);
  });
});
