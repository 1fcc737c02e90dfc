import { AccessDenied, can, requireAction, tenantScope, type PanelUser } from './access-policy';

const accountant: PanelUser = { username: 'anna', role: 'accountant', tenantId: 'acme' };
const operator: PanelUser = { username: 'olek', role: 'operator', tenantId: 'acme' };
const admin: PanelUser = { username: 'root', role: 'admin', tenantId: null };

describe('roles', () => {
  it('lets accountants read and resubmit, nothing else', () => {
    expect(['read', 'resubmit'].every((a) => can(accountant, a as never))).toBe(true);
    for (const a of ['retry', 'cancel', 'acknowledge', 'all-tenants', 'manage-users'] as const) expect(can(accountant, a)).toBe(false);
  });

  it('lets operators intervene but not see every tenant', () => {
    for (const a of ['read', 'retry', 'cancel', 'resubmit', 'acknowledge'] as const) expect(can(operator, a)).toBe(true);
    expect(can(operator, 'all-tenants')).toBe(false);
    expect(can(operator, 'manage-users')).toBe(false);
  });

  it('lets admins do everything', () => {
    for (const a of ['read', 'retry', 'cancel', 'resubmit', 'acknowledge', 'all-tenants', 'manage-users'] as const) expect(can(admin, a)).toBe(true);
  });

  it('refuses a forbidden action with 403', () => {
    expect(() => requireAction(accountant, 'retry')).toThrow(AccessDenied);
    try {
      requireAction(accountant, 'retry');
    } catch (error) {
      expect((error as AccessDenied).status).toBe(403);
    }
    expect(() => requireAction(operator, 'retry')).not.toThrow();
  });
});

describe('tenant scope', () => {
  it('pins a non-admin to their tenant whatever they ask for', () => {
    expect(tenantScope(operator)).toBe('acme');
    expect(tenantScope(operator, 'acme')).toBe('acme');
    expect(() => tenantScope(operator, 'globex')).toThrow('sees only tenant acme');
    expect(() => tenantScope(accountant, 'globex')).toThrow(AccessDenied);
  });

  it('gives an admin the tenant asked for, or every tenant', () => {
    expect(tenantScope(admin)).toBeUndefined();
    expect(tenantScope(admin, '')).toBeUndefined();
    expect(tenantScope(admin, 'globex')).toBe('globex');
  });

  it('refuses a non-admin without a tenant instead of showing everything', () => {
    expect(() => tenantScope({ username: 'x', role: 'operator', tenantId: null })).toThrow('has no tenant');
  });
});
