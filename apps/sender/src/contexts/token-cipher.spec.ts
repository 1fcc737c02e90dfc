import { randomBytes } from 'node:crypto';
import { masterKeyId, parseMasterKey, TokenCipher } from './token-cipher';

describe('envelope encryption of KSeF tokens', () => {
  const master = randomBytes(32);
  const token = '20251125-EC-ABC|nip-5265877635|0123456789abcdef';

  it('round-trips, and the stored parts do not contain the token', () => {
    const cipher = new TokenCipher(master);
    const sealed = cipher.encrypt(token, '5265877635');
    expect(cipher.decrypt(sealed, '5265877635')).toBe(token);
    const stored = Buffer.concat([sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey]);
    expect(stored.includes(Buffer.from('nip-5265877635'))).toBe(false);
    expect(sealed.wrappedKey).toHaveLength(60);
    expect(sealed.masterKeyId).toBe(masterKeyId(master));
  });

  it('uses a fresh data key and nonce per secret', () => {
    const cipher = new TokenCipher(master);
    const a = cipher.encrypt(token, '5265877635');
    const b = cipher.encrypt(token, '5265877635');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it('refuses a wrong master key, a tampered ciphertext and a ciphertext moved to another context', () => {
    const sealed = new TokenCipher(master).encrypt(token, '5265877635');
    expect(() => new TokenCipher(randomBytes(32)).decrypt(sealed, '5265877635')).toThrow(/no configured master key/);
    const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    tampered.ciphertext[0] ^= 1;
    expect(() => new TokenCipher(master).decrypt(tampered, '5265877635')).toThrow();
    expect(() => new TokenCipher(master).decrypt(sealed, '1111111111')).toThrow();
  });

  it('rotation: a new master key with the old one as previous reads old rows and re-wraps them without touching the ciphertext', () => {
    const oldCipher = new TokenCipher(master);
    const sealed = oldCipher.encrypt(token, '5265877635');
    const next = randomBytes(32);
    const rotating = new TokenCipher(next, [master]);
    expect(rotating.decrypt(sealed, '5265877635')).toBe(token);
    const rewrapped = rotating.rewrap(sealed, '5265877635');
    expect(rewrapped.masterKeyId).toBe(masterKeyId(next));
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(new TokenCipher(next).decrypt(rewrapped, '5265877635')).toBe(token);
  });

  it('master keys must be exactly 32 bytes of base64', () => {
    expect(parseMasterKey(master.toString('base64')).equals(master)).toBe(true);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => parseMasterKey('not base64!')).toThrow();
  });
});
