import { parseCreateUserArgs } from './create-user.command';

describe('create-user arguments', () => {
  it('takes an accountant or operator with exactly one tenant', () => {
    expect(parseCreateUserArgs(['Anna.K', 'accountant', 'acme'])).toEqual({ username: 'anna.k', role: 'accountant', tenantId: 'acme' });
    expect(parseCreateUserArgs(['olek', 'operator', 'acme'])).toEqual({ username: 'olek', role: 'operator', tenantId: 'acme' });
  });

  it('takes an admin without a tenant', () => {
    expect(parseCreateUserArgs(['root', 'admin'])).toEqual({ username: 'root', role: 'admin', tenantId: null });
  });

  it('refuses a non-admin without a tenant, an admin with one, unknown roles and bad names', () => {
    expect(() => parseCreateUserArgs(['olek', 'operator'])).toThrow('exactly one tenant');
    expect(() => parseCreateUserArgs(['root', 'admin', 'acme'])).toThrow('every tenant');
    expect(() => parseCreateUserArgs(['olek', 'superuser', 'acme'])).toThrow('role must be one of');
    expect(() => parseCreateUserArgs(['o', 'operator', 'acme'])).toThrow('username');
    expect(() => parseCreateUserArgs(['olek', 'operator', 'ACME!'])).toThrow('tenant');
    expect(() => parseCreateUserArgs([])).toThrow('usage');
  });
});
