import { createDecipheriv, randomBytes } from 'node:crypto';
import { EnvelopeCipher, masterKeyId, parseMasterKey } from './envelope-cipher';

describe('envelope encryption of secrets', () => {
  const master = randomBytes(32);
  const token = '20251125-EC-ABC|nip-5265877635|0123456789abcdef';

  it('round-trips, and the stored parts do not contain the secret', () => {
    const cipher = new EnvelopeCipher(master);
    const sealed = cipher.encrypt(token, '5265877635');
    expect(cipher.decrypt(sealed, '5265877635')).toBe(token);
    const stored = Buffer.concat([sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey]);
    expect(stored.includes(Buffer.from('nip-5265877635'))).toBe(false);
    expect(sealed.wrappedKey).toHaveLength(60);
    expect(sealed.masterKeyId).toBe(masterKeyId(master));
  });

  it('uses a fresh data key and nonce per secret', () => {
    const cipher = new EnvelopeCipher(master);
    const a = cipher.encrypt(token, '5265877635');
    const b = cipher.encrypt(token, '5265877635');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it('refuses a wrong master key, a tampered ciphertext and a ciphertext moved to another context', () => {
    const sealed = new EnvelopeCipher(master).encrypt(token, '5265877635');
    expect(() => new EnvelopeCipher(randomBytes(32)).decrypt(sealed, '5265877635')).toThrow(/no configured master key.*SENDER_PREVIOUS_MASTER_KEYS/);
    const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    tampered.ciphertext[0] ^= 1;
    expect(() => new EnvelopeCipher(master).decrypt(tampered, '5265877635')).toThrow();
    expect(() => new EnvelopeCipher(master).decrypt(sealed, '1111111111')).toThrow();
  });

  it('rotation: a new master key with the old one as previous reads old rows and re-wraps them without touching the ciphertext', () => {
    const sealed = new EnvelopeCipher(master).encrypt(token, '5265877635');
    const next = randomBytes(32);
    const rotating = new EnvelopeCipher(next, [master]);
    expect(rotating.decrypt(sealed, '5265877635')).toBe(token);
    const rewrapped = rotating.rewrap(sealed, '5265877635');
    expect(rewrapped.masterKeyId).toBe(masterKeyId(next));
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(new EnvelopeCipher(next).decrypt(rewrapped, '5265877635')).toBe(token);
    expect(rotating.rewrap(rewrapped, '5265877635')).toBe(rewrapped);
  });

  it('master keys must be exactly 32 bytes of base64', () => {
    expect(parseMasterKey(master.toString('base64')).equals(master)).toBe(true);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => parseMasterKey('not base64!')).toThrow();
    expect(() => new EnvelopeCipher(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('defaults are the sender TokenCipher format: secret AAD `ksef-context:<ctx>`, data-key AAD `ksef-data-key:<ctx>`', () => {
    const sealed = new EnvelopeCipher(master).encrypt(token, '5265877635');
    const w = sealed.wrappedKey;
    const unwrap = createDecipheriv('aes-256-gcm', master, w.subarray(0, 12));
    unwrap.setAAD(Buffer.from('ksef-data-key:5265877635'));
    unwrap.setAuthTag(w.subarray(12, 28));
    const dataKey = Buffer.concat([unwrap.update(w.subarray(28)), unwrap.final()]);
    const open = createDecipheriv('aes-256-gcm', dataKey, sealed.iv);
    open.setAAD(Buffer.from('ksef-context:5265877635'));
    open.setAuthTag(sealed.tag);
    expect(Buffer.concat([open.update(sealed.ciphertext), open.final()]).toString('utf8')).toBe(token);
  });

  it('labels separate uses: a secret sealed for one use does not open under another, and key ids differ', () => {
    const webhook = new EnvelopeCipher(master, [], { secretLabel: 'webhook-secret', dataKeyLabel: 'webhook-data-key', keyIdLabel: 'notifier', previousKeysVariable: 'NOTIFIER_PREVIOUS_MASTER_KEYS' });
    const sealed = webhook.encrypt('whsec_x', 'sub-1');
    expect(webhook.decrypt(sealed, 'sub-1')).toBe('whsec_x');
    expect(sealed.masterKeyId).toBe(masterKeyId(master, 'notifier'));
    expect(sealed.masterKeyId).not.toBe(masterKeyId(master));
    expect(() => new EnvelopeCipher(master).decrypt({ ...sealed, masterKeyId: masterKeyId(master) }, 'sub-1')).toThrow();
    expect(() => new EnvelopeCipher(randomBytes(32), [], { keyIdLabel: 'notifier', previousKeysVariable: 'NOTIFIER_PREVIOUS_MASTER_KEYS' }).decrypt(sealed, 'sub-1')).toThrow(/NOTIFIER_PREVIOUS_MASTER_KEYS/);
  });
});
