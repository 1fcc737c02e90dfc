import { createSelfSignedCertificate } from '@ksef-bridge/ksef-client';
import { checkXadesCredentials, decodeCredentials, encodeCredentials, ksefCredentialsOf } from './context-credentials';

describe('context credentials', () => {
  const cert = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' } });
  const other = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5261040828' } });

  it('keeps a KSeF token as it always was, and a certificate with its key as xades: JSON', () => {
    expect(encodeCredentials({ kind: 'ksef-token', token: '20250101-EC-1|nip-5265877635|abc' })).toBe('20250101-EC-1|nip-5265877635|abc');
    expect(decodeCredentials('20250101-EC-1|nip-5265877635|abc')).toEqual({ kind: 'ksef-token', token: '20250101-EC-1|nip-5265877635|abc' });
    const sealed = encodeCredentials({ kind: 'xades', certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem });
    expect(sealed.startsWith('xades:{')).toBe(true);
    expect(decodeCredentials(sealed)).toEqual({ kind: 'xades', certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem });
    expect(ksefCredentialsOf(decodeCredentials(sealed))).toMatchObject({ type: 'xades', certificate: cert.certificatePem });
  });

  it('refuses a key of another certificate, garbage, and an expired certificate', () => {
    expect(() => checkXadesCredentials(cert.certificatePem, cert.privateKeyPem)).not.toThrow();
    expect(() => checkXadesCredentials(cert.certificatePem, other.privateKeyPem)).toThrow(/does not belong/);
    expect(() => checkXadesCredentials('not a certificate', cert.privateKeyPem)).toThrow(/not a PEM X.509/);
    expect(() => checkXadesCredentials(cert.certificatePem, 'not a key')).toThrow(/not an unencrypted PEM key/);
    expect(() => checkXadesCredentials(cert.certificatePem, cert.privateKeyPem, new Date(Date.now() + 400 * 86_400_000))).toThrow(/not valid now/);
  });
});
