import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createSelfSignedCertificate } from '@ksef-bridge/ksef-client';
import { checkOfflineCertificate, OfflineCertificateError } from './offline-certificate';
import { parseKodIIRequest } from './kod-ii-signer';

const rsa = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' } });
const ec = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, keyType: 'ec' });
const other = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5261040828' }, keyType: 'ec' });

const refusalOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(OfflineCertificateError);
    return (error as OfflineCertificateError).code;
  }
};

describe('checkOfflineCertificate', () => {
  it('accepts RSA-2048 and EC P-256 pairs and reports serial, validity and algorithm', () => {
    const checked = checkOfflineCertificate(rsa.certificatePem, rsa.privateKeyPem);
    expect(checked).toMatchObject({ algorithm: 'RSASSA-PSS', serial: new X509Certificate(rsa.certificatePem).serialNumber.toUpperCase() });
    expect(checked.serial).toMatch(/^[0-9A-F]+$/);
    expect(checked.validTo.getTime()).toBe(new Date(new X509Certificate(rsa.certificatePem).validTo).getTime());
    expect(checkOfflineCertificate(ec.certificatePem, ec.privateKeyPem).algorithm).toBe('ECDSA-P256');
  });

  it('opens a passphrase-protected key and keeps it decrypted (PKCS#8) for sealing, so the passphrase is not stored', () => {
    // The certificate's own key, re-exported encrypted with a passphrase.
    const key = createPrivateKey(ec.privateKeyPem);
    const pem = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString();
    expect(pem).toContain('ENCRYPTED PRIVATE KEY');
    const checked = checkOfflineCertificate(ec.certificatePem, pem, 'correct horse');
    expect(checked.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(checked.privateKeyPem).toBe(key.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(refusalOf(() => checkOfflineCertificate(ec.certificatePem, pem, 'wrong'))).toBe('OFFLINE_KEY_UNREADABLE');
    expect(() => checkOfflineCertificate(ec.certificatePem, pem)).toThrow(/needs its passphrase/);
  });

  it('refuses with stable codes: garbage, another key, weak or unsupported keys, a certificate not valid now', () => {
    expect(refusalOf(() => checkOfflineCertificate('not a certificate', rsa.privateKeyPem))).toBe('OFFLINE_CERTIFICATE_UNREADABLE');
    expect(refusalOf(() => checkOfflineCertificate(rsa.certificatePem, 'not a key'))).toBe('OFFLINE_KEY_UNREADABLE');
    expect(refusalOf(() => checkOfflineCertificate(ec.certificatePem, other.privateKeyPem))).toBe('OFFLINE_KEY_MISMATCH');
    const weak = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' }, modulusLength: 1024 });
    expect(refusalOf(() => checkOfflineCertificate(weak.certificatePem, weak.privateKeyPem))).toBe('OFFLINE_KEY_UNSUPPORTED');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => checkOfflineCertificate(ec.certificatePem, p384)).toThrow(/P-256/);
    expect(refusalOf(() => checkOfflineCertificate(ec.certificatePem, p384))).toBe('OFFLINE_KEY_UNSUPPORTED');
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(refusalOf(() => checkOfflineCertificate(rsa.certificatePem, rsa.privateKeyPem, undefined, later))).toBe('OFFLINE_CERTIFICATE_NOT_VALID');
    expect(refusalOf(() => checkOfflineCertificate(rsa.certificatePem, rsa.privateKeyPem, undefined, new Date(Date.now() - 86_400_000)))).toBe('OFFLINE_CERTIFICATE_NOT_VALID');
  });
});

describe('parseKodIIRequest', () => {
  const hash = Buffer.alloc(32, 7).toString('base64');
  it('takes tenant, seller NIP, Base64 SHA-256 and an optional environment (production by default)', () => {
    expect(parseKodIIRequest('5265877635', { tenantId: 'acme', sellerNip: '5261040828', invoiceHash: hash })).toEqual({
      tenantId: 'acme', contextNip: '5265877635', sellerNip: '5261040828', invoiceHash: hash, environment: 'production',
    });
    expect(parseKodIIRequest('5265877635', { tenantId: 'acme', sellerNip: '5261040828', invoiceHash: hash, environment: 'test' }).environment).toBe('test');
  });

  it.each([
    ['a short context NIP', '12345', { tenantId: 'a', sellerNip: '5261040828', invoiceHash: hash }],
    ['no tenant', '5265877635', { sellerNip: '5261040828', invoiceHash: hash }],
    ['a bad seller NIP', '5265877635', { tenantId: 'a', sellerNip: '52610408', invoiceHash: hash }],
    ['a Base64URL hash', '5265877635', { tenantId: 'a', sellerNip: '5261040828', invoiceHash: Buffer.alloc(32, 255).toString('base64url') }],
    ['an unknown environment', '5265877635', { tenantId: 'a', sellerNip: '5261040828', invoiceHash: hash, environment: 'staging' }],
    ['no body', '5265877635', null],
  ])('refuses %s with 400 REQUEST_INVALID', (_name, nip, body) => {
    expect(() => parseKodIIRequest(nip, body)).toThrow(expect.objectContaining({ status: 400, code: 'REQUEST_INVALID' }));
  });
});
