import { X509Certificate, constants, createHash, createPrivateKey, privateDecrypt } from 'node:crypto';
import { createSelfSignedCertificate } from '../auth/self-signed-certificate';
import type { PublicKeyCertificate } from '../model/ksef-api.types';
import {
  aesDecrypt,
  aesEncrypt,
  buildEncryptionInfo,
  encryptInvoice,
  encryptKsefToken,
  generateSymmetricKey,
  selectPublicKeyCertificate,
  sha256Base64,
} from './ksef-crypto';

const creds = createSelfSignedCertificate({ subject: { type: 'seal', nip: '5265877635' } });
const der = new X509Certificate(creds.certificatePem).raw;
const published = (usage: PublicKeyCertificate['usage'], validFrom: string, validTo: string): PublicKeyCertificate => ({
  certificate: der.toString('base64'),
  certificateId: createHash('sha256').update(der).digest('base64'),
  publicKeyId: 'pk-' + usage.join('-') + validTo,
  validFrom,
  validTo,
  usage,
});
const decrypt = (data: Buffer): Buffer =>
  privateDecrypt({ key: createPrivateKey(creds.privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);

describe('ksef crypto', () => {
  it('hashes SHA-256 as standard Base64 of 44 characters', () => {
    expect(sha256Base64('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(sha256Base64(Buffer.alloc(0))).toHaveLength(44);
  });

  it('generates a 32-byte key and a 16-byte IV, fresh every time', () => {
    const a = generateSymmetricKey();
    const b = generateSymmetricKey();
    expect(a.key).toHaveLength(32);
    expect(a.iv).toHaveLength(16);
    expect(a.key.equals(b.key)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
  });

  it('AES-256-CBC with PKCS#7 pads to whole blocks and carries no IV in the ciphertext', () => {
    const key = generateSymmetricKey();
    for (const size of [0, 1, 15, 16, 17, 1000]) {
      const plain = Buffer.alloc(size, 7);
      const encrypted = aesEncrypt(plain, key);
      expect(encrypted.length).toBe((Math.floor(size / 16) + 1) * 16);
      expect(aesDecrypt(encrypted, key).equals(plain)).toBe(true);
    }
  });

  it('encryptInvoice hashes the plain and the encrypted bytes exactly as sent', () => {
    const key = generateSymmetricKey();
    const xml = Buffer.from('<Faktura>zażółć</Faktura>', 'utf8');
    const p = encryptInvoice(xml, key);
    const encrypted = Buffer.from(p.encryptedInvoiceContent, 'base64');
    expect(p.invoiceSize).toBe(xml.length);
    expect(p.invoiceHash).toBe(sha256Base64(xml));
    expect(p.encryptedInvoiceSize).toBe(encrypted.length);
    expect(p.encryptedInvoiceHash).toBe(sha256Base64(encrypted));
    expect(aesDecrypt(encrypted, key).equals(xml)).toBe(true);
  });

  it('wraps the AES key and the KSeF token with RSA-OAEP SHA-256 / MGF1-SHA-256', () => {
    const cert = published(['SymmetricKeyEncryption', 'KsefTokenEncryption'], '2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    const key = generateSymmetricKey();
    const info = buildEncryptionInfo(key, cert);
    expect(decrypt(Buffer.from(info.encryptedSymmetricKey, 'base64')).equals(key.key)).toBe(true);
    expect(Buffer.from(info.initializationVector, 'base64').equals(key.iv)).toBe(true);
    expect(info.publicKeyId).toBe(cert.publicKeyId);
    const token = encryptKsefToken('20250101-EC-XXXX|nip-5265877635|abcdef', 1_750_000_000_123, cert);
    expect(decrypt(Buffer.from(token, 'base64')).toString('utf8')).toBe('20250101-EC-XXXX|nip-5265877635|abcdef|1750000000123');
  });

  it('picks the certificate by declared usage and validity, preferring the one valid longest', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const token = published(['KsefTokenEncryption'], '2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z');
    const oldSym = published(['SymmetricKeyEncryption'], '2025-01-01T00:00:00Z', '2026-07-01T00:00:00Z');
    const newSym = published(['SymmetricKeyEncryption'], '2026-05-01T00:00:00Z', '2028-01-01T00:00:00Z');
    const futureSym = published(['SymmetricKeyEncryption'], '2026-12-01T00:00:00Z', '2030-01-01T00:00:00Z');
    const expired = published(['SymmetricKeyEncryption'], '2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    const list = [token, oldSym, newSym, futureSym, expired];
    expect(selectPublicKeyCertificate(list, 'SymmetricKeyEncryption', now)).toBe(newSym);
    expect(selectPublicKeyCertificate(list, 'KsefTokenEncryption', now)).toBe(token);
    expect(selectPublicKeyCertificate([expired], 'SymmetricKeyEncryption', now)).toBeUndefined();
  });
});
