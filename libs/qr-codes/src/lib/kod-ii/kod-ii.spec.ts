import { constants, createHash, generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { createSelfSignedCertificate } from '@ksef-bridge/ksef-client';
import { decodePng, readPngCaption } from '../../test/qr-decoding';
import { renderQrPng } from '../render/qr-png';
import { buildKodIIUrl, KOD_II_CAPTION, kodIICode, verifyKodIIUrl } from './kod-ii';
import { parseKodIIUrl } from './kod-ii-url';

const rsa = createSelfSignedCertificate({ subject: { type: 'seal', nip: '1111111111' } });
const ec = createSelfSignedCertificate({ subject: { type: 'seal', nip: '1111111111' }, keyType: 'ec' });
const invoice = Buffer.from('<Faktura>…</Faktura>');
const invoiceHash = createHash('sha256').update(invoice).digest('base64url');
const base = { environment: 'test' as const, contextType: 'Nip' as const, contextValue: '1111111111', sellerNip: '1111111111', invoice };
const serialOf = (pem: string) => new X509Certificate(pem).serialNumber;

describe('KOD II', () => {
  it('parses the official docs example: the signed text is the link without https:// and without the signature', () => {
    // CIRFMF/ksef-docs kody-qr.md (30.07.2025): example link and the "Format podpisu" text given for it.
    const url =
      'https://ksef-test.mf.gov.pl/client-app/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/' +
      'KFoN1Z91HvySb2uqP2ZDFKubKftzWtWsQOjqTdLFXA3ZEoC1PB8sixNi1LLwgnndwL-MkDcpaCEZxBuVtjWcBpAUJEYlnmDQFOMQs-ueSsp5uuVbmNb-d8_yRTAQvSUdHNuIYfpy7Wpj1jTY0yghgOmdTQzpV5MrcHEReLKjpGONHj8lZtq7RpY43LlCfvctHbUWbqSYAC0C7zmNKz5ROK1LFE-QIi5qGqrRIdw1PCEEPW9tKcB94G3qAHXizNyp5TO6V_0qZ9eC1DXtftkCocQD_CEI3MY-nu7yk6LC7hF7yQ1t8GGRikhQP6w4OwBR-z048IdhCtWd-RYNnxiU6w';
    const parts = parseKodIIUrl(url);
    expect(parts).toMatchObject({ contextType: 'Nip', contextValue: '1111111111', sellerNip: '1111111111', certificateSerial: '01F20A5D352AE590' });
    expect(parts.signedText).toBe('ksef-test.mf.gov.pl/client-app/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE');
    expect(Buffer.from(parts.signature, 'base64url')).toHaveLength(256); // an RSA-2048 signature
  });

  it('RSA: the link has the digest shape and its RSASSA-PSS signature (SHA-256, MGF1-SHA-256, salt 32) verifies independently', () => {
    const url = buildKodIIUrl({ ...base, certificate: rsa.certificatePem, privateKey: rsa.privateKeyPem });
    const serial = serialOf(rsa.certificatePem);
    const signedText = `qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/${serial}/${invoiceHash}`;
    expect(url.startsWith(`https://${signedText}/`)).toBe(true);
    const signature = Buffer.from(url.slice(`https://${signedText}/`.length), 'base64url');
    expect(signature).toHaveLength(256);
    const key = new X509Certificate(rsa.certificatePem).publicKey;
    const pss = (saltLength: number) => verify('sha256', Buffer.from(signedText), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    expect(pss(32)).toBe(true);
    expect(pss(20)).toBe(false);
    expect(verifyKodIIUrl(url, rsa.certificatePem, { invoice })).toMatchObject({ valid: true, algorithm: 'RSASSA-PSS' });
  });

  it('ECDSA P-256: IEEE P1363 r‖s by default (64 bytes), DER on request; both verify', () => {
    const url = buildKodIIUrl({ ...base, certificate: ec.certificatePem, privateKey: ec.privateKeyPem });
    const parts = parseKodIIUrl(url);
    const key = new X509Certificate(ec.certificatePem).publicKey;
    expect(Buffer.from(parts.signature, 'base64url')).toHaveLength(64);
    expect(verify('sha256', Buffer.from(parts.signedText), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts.signature, 'base64url'))).toBe(true);
    expect(verifyKodIIUrl(url, ec.certificatePem)).toMatchObject({ valid: true, algorithm: 'ECDSA-P256' });
    const der = buildKodIIUrl({ ...base, certificate: ec.certificatePem, privateKey: ec.privateKeyPem, ecdsaSignatureEncoding: 'der' });
    expect(Buffer.from(parseKodIIUrl(der).signature, 'base64url')[0]).toBe(0x30);
    expect(verifyKodIIUrl(der, ec.certificatePem).valid).toBe(true);
  });

  it('a tampered link, another certificate or another invoice does not verify', () => {
    const url = buildKodIIUrl({ ...base, certificate: rsa.certificatePem, privateKey: rsa.privateKeyPem });
    const otherNip = url.replace('/1111111111/1111111111/', '/1111111111/5265877635/');
    expect(otherNip).not.toBe(url);
    expect(verifyKodIIUrl(otherNip, rsa.certificatePem)).toMatchObject({ valid: false, reason: expect.stringContaining('signature') });
    const otherHash = url.replace(invoiceHash, createHash('sha256').update('x').digest('base64url'));
    expect(verifyKodIIUrl(otherHash, rsa.certificatePem).valid).toBe(false);
    const flipped = url.slice(0, -2) + (url.endsWith('AA') ? 'AB' : 'AA');
    expect(verifyKodIIUrl(flipped, rsa.certificatePem).valid).toBe(false);
    const other = createSelfSignedCertificate({ subject: { type: 'seal', nip: '1111111111' } });
    expect(verifyKodIIUrl(url, other.certificatePem)).toMatchObject({ valid: false, reason: expect.stringContaining('names certificate') });
    expect(verifyKodIIUrl(url, rsa.certificatePem, { invoice: Buffer.from('<Faktura/>') })).toMatchObject({ valid: false, reason: expect.stringContaining('another invoice') });
    expect(verifyKodIIUrl('https://qr.ksef.mf.gov.pl/invoice/1/2/3', rsa.certificatePem).valid).toBe(false);
  });

  it('renders as a PNG that decodes to the signed link, captioned CERTYFIKAT', () => {
    const code = kodIICode({ ...base, certificate: rsa.certificatePem, privateKey: rsa.privateKeyPem });
    expect(code.caption).toBe(KOD_II_CAPTION);
    const png = renderQrPng(code.url, { caption: code.caption });
    const decoded = decodePng(png);
    expect(decoded).toBe(code.url);
    expect(verifyKodIIUrl(decoded!, rsa.certificatePem, { invoice }).valid).toBe(true);
    expect(readPngCaption(png, code.url, { caption: code.caption })).toBe('CERTYFIKAT');
  });

  it('supports every context type with its identifier shape', () => {
    for (const [contextType, contextValue] of [['InternalId', '1111111111-00001'], ['NipVatUe', '1111111111-DE123456789'], ['PeppolId', 'PAA123456']] as const) {
      const url = buildKodIIUrl({ ...base, contextType, contextValue, certificate: ec.certificatePem, privateKey: ec.privateKeyPem });
      expect(parseKodIIUrl(url)).toMatchObject({ contextType, contextValue });
      expect(verifyKodIIUrl(url, ec.certificatePem).valid).toBe(true);
    }
  });

  it('refuses keys, certificates and fields KSeF would not accept', () => {
    const ok = { ...base, certificate: rsa.certificatePem, privateKey: rsa.privateKeyPem };
    expect(() => buildKodIIUrl({ ...ok, privateKey: ec.privateKeyPem })).toThrow(/does not belong/);
    const small = createSelfSignedCertificate({ subject: { type: 'seal', nip: '1111111111' }, modulusLength: 1024 });
    expect(() => buildKodIIUrl({ ...ok, certificate: small.certificatePem, privateKey: small.privateKeyPem })).toThrow(/2048/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expect(() => buildKodIIUrl({ ...ok, privateKey: p384 })).toThrow(/P-256/);
    expect(() => buildKodIIUrl({ ...ok, at: new Date(Date.now() + 365 * 86_400_000) })).toThrow(/valid from/);
    expect(() => buildKodIIUrl({ ...ok, certificateSerial: '01F20A5D352AE590' })).toThrow(/not the certificate's serial/);
    expect(() => buildKodIIUrl({ ...ok, contextValue: '1111111111/x' })).toThrow(/not a valid Nip/);
    expect(() => buildKodIIUrl({ ...ok, contextType: 'Pesel' as never })).toThrow(/contextType/);
    expect(() => buildKodIIUrl({ ...ok, certificate: 'not a certificate' })).toThrow(/X.509/);
    expect(() => buildKodIIUrl({ ...ok, invoice: undefined })).toThrow(/invoice or invoiceHash/);
  });
});
