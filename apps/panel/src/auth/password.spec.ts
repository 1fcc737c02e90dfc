import { hashPassword, verifyPassword } from './password';

const cheap = { N: 1 << 10, r: 8, p: 1 };

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterz', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password!', cheap)).not.toBe(await hashPassword('same password!', cheap));
  });

  it('refuses short passwords and never matches a malformed hash', async () => {
    await expect(hashPassword('short')).rejects.toThrow('at least 10');
    await expect(verifyPassword('anything at all', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('anything at all', 'scrypt$x$8$1$AAAA$BBBB')).resolves.toBe(false);
  });

  it('uses the default cost when none is given', async () => {
    const hash = await hashPassword('default cost password');
    expect(hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    await expect(verifyPassword('default cost password', hash)).resolves.toBe(true);
  });
});
