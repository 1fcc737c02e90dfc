import { X509Certificate } from 'node:crypto';
import { authTokenRequest, EXC_C14N, selfSignedCertificate, signEnveloped } from '../../../test/xades-test-signer';
import { certificateIdentity, verifyEnvelopedSignature } from './xades-verifier';

describe('verifyEnvelopedSignature', () => {
  const credentials = selfSignedCertificate({ nip: '5265877635' });
  const xml = authTokenRequest('20250514-CR-2DFC46C000-3AC6D5877F-D4', '5265877635');

  it.each([['C14N 1.1', 'http://www.w3.org/2006/12/xml-c14n11'], ['exclusive C14N', EXC_C14N]])('accepts a valid signature (%s) and returns the document without it', (_n, c14n) => {
    const result = verifyEnvelopedSignature(signEnveloped(xml, credentials, c14n));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.unsignedXml).not.toContain('Signature');
      expect(result.unsignedXml).toContain('<Challenge>20250514-CR-2DFC46C000-3AC6D5877F-D4</Challenge>');
    }
  });

  it('rejects tampering, missing and duplicated signatures, and unreadable XML', () => {
    const signed = signEnveloped(xml, credentials);
    expect(verifyEnvelopedSignature(signed.replace('5265877635</Nip>', '1111111111</Nip>'))).toMatchObject({ ok: false, code: 9105 });
    expect(verifyEnvelopedSignature(xml)).toMatchObject({ ok: false, code: 9102 });
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    expect(verifyEnvelopedSignature(signed.replace('</AuthTokenRequest>', `${sig}</AuthTokenRequest>`))).toMatchObject({ ok: false, code: 9103 });
    expect(verifyEnvelopedSignature('<unclosed>')).toMatchObject({ ok: false, code: 21001 });
  });

  it('reads the identity from the certificate (seal NIP, person PESEL, else fingerprint)', () => {
    expect(certificateIdentity(new X509Certificate(credentials.certificatePem))).toEqual({ kind: 'nip', value: '5265877635', seal: true });
    expect(certificateIdentity(new X509Certificate(selfSignedCertificate({ pesel: '90010112345' }).certificatePem))).toEqual({ kind: 'pesel', value: '90010112345' });
    expect(certificateIdentity(new X509Certificate(selfSignedCertificate({}).certificatePem)).kind).toBe('fingerprint');
  });
});
