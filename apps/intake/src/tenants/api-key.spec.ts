import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key';

describe('API keys', () => {
  it('are 256 random bits, recognisable, and never equal', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^ksb_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeApiKey(a)).toBe(true);
    expect(a).not.toBe(b);
  });
  it('are stored as a SHA-256 digest only', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toHaveLength(32);
    expect(hashApiKey(key).equals(hashApiKey(key))).toBe(true);
    expect(hashApiKey(key).toString('latin1')).not.toContain(key.slice(4));
  });
  it('shape check rejects anything else before the database is asked', () => {
    expect(looksLikeApiKey('ksb_short')).toBe(false);
    expect(looksLikeApiKey(`Bearer ${generateApiKey()}`)).toBe(false);
  });
});
