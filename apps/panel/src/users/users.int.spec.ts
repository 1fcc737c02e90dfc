import { startPanel, startStubBackend, type PanelHarness, type StubBackend } from '../test/panel-harness';

const empty = () => ({ status: 200, body: { items: [], total: 0 } });

describe('user management (real PostgreSQL; admin only, audited)', () => {
  let panel: PanelHarness;
  let intake: StubBackend;
  let sender: StubBackend;

  const request = async (method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'x-panel-request': '1' };
    if (opts.cookie) headers['cookie'] = opts.cookie;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${panel.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as any, setCookie: res.headers.get('set-cookie') ?? '' };
  };
  const login = async (username: string, password: string) => {
    const res = await request('POST', '/api/auth/login', { body: { username, password } });
    return res.status === 200 ? res.setCookie.split(';')[0] : `status ${res.status} ${res.body?.error?.code}`;
  };
  const audit = () => panel.dataSource.query(`SELECT username, action, tenant_id AS "tenantId", outcome, details FROM panel.audit_log WHERE action LIKE 'user-%' ORDER BY id`);

  beforeAll(async () => {
    intake = await startStubBackend(empty);
    sender = await startStubBackend(empty);
    panel = await startPanel({ intakeUrl: intake.url, senderUrl: sender.url }, { maxFailures: 50 });
    await panel.createUser('root', 'admin', null, 'admin-password-1');
    await panel.createUser('olek', 'operator', 'acme', 'operator-password');
    await panel.createUser('gosia', 'accountant', 'globex', 'globex-password');
  }, 120_000);

  afterAll(async () => {
    await panel?.close();
    await intake?.close();
    await sender?.close();
  });

  it('refuses every user route to operators and accountants (403) and to strangers (401)', async () => {
    const operator = await login('olek', 'operator-password');
    const accountant = await login('gosia', 'globex-password');
    for (const cookie of [operator, accountant]) {
      expect((await request('GET', '/api/users', { cookie })).status).toBe(403);
      const create = await request('POST', '/api/users', { cookie, body: { username: 'evil', role: 'admin', password: 'evil-password-1' } });
      expect(create).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      for (const action of ['role', 'disable', 'enable', 'password']) expect((await request('POST', `/api/users/root/${action}`, { cookie, body: { role: 'accountant', tenantId: 'acme', password: 'taken-over-1' } })).status).toBe(403);
    }
    expect((await request('GET', '/api/users')).status).toBe(401);
    expect(await login('evil', 'evil-password-1')).toBe('status 401 LOGIN_FAILED');
    expect(await login('root', 'admin-password-1')).toMatch(/^ksef_panel_session=/);
  });

  it('lists every user with role, tenant and state; never a hash', async () => {
    const admin = await login('root', 'admin-password-1');
    const res = await request('GET', '/api/users', { cookie: admin });
    expect(res.status).toBe(200);
    expect(res.body.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['gosia', 'olek', 'root']));
    expect(res.body.find((u: { username: string }) => u.username === 'olek')).toMatchObject({ role: 'operator', tenantId: 'acme', disabledAt: null });
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
    const globex = await request('GET', '/api/users?tenant=globex', { cookie: admin });
    expect(globex.body.map((u: { username: string }) => u.username)).toEqual(['gosia']);
  });

  it('creates a user who can log in at once, with the password policy and the tenant rules enforced', async () => {
    const admin = await login('root', 'admin-password-1');
    const bad = async (body: Record<string, unknown>, code: string, status = 400) => {
      const res = await request('POST', '/api/users', { cookie: admin, body });
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    };
    await bad({ username: 'anna', role: 'accountant', tenantId: 'acme', password: 'short' }, 'PASSWORD_POLICY');
    await bad({ username: 'anna', role: 'accountant', tenantId: 'acme', password: 'x'.repeat(201) }, 'PASSWORD_POLICY');
    await bad({ username: 'anna', role: 'accountant', tenantId: 'acme', password: 'my-name-is-anna' }, 'PASSWORD_POLICY');
    await bad({ username: 'anna', role: 'accountant', password: 'accountant-password' }, 'TENANT_REQUIRED');
    await bad({ username: 'anna', role: 'admin', tenantId: 'acme', password: 'accountant-password' }, 'TENANT_NOT_ALLOWED');
    await bad({ username: 'anna', role: 'superuser', tenantId: 'acme', password: 'accountant-password' }, 'REQUEST_INVALID');
    await bad({ username: "a'; DROP TABLE panel.users; --", role: 'accountant', tenantId: 'acme', password: 'accountant-password' }, 'REQUEST_INVALID');
    await bad({ username: 'anna', role: 'accountant', tenantId: 'ACME<script>', password: 'accountant-password' }, 'REQUEST_INVALID');
    await bad({ username: 'olek', role: 'accountant', tenantId: 'acme', password: 'accountant-password' }, 'USER_EXISTS', 409);
    expect(await login('olek', 'operator-password')).toMatch(/^ksef_panel_session=/); // not replaced

    const created = await request('POST', '/api/users', { cookie: admin, body: { username: 'anna', role: 'accountant', tenantId: 'acme', password: 'accountant-password', reason: 'new hire' } });
    expect(created).toMatchObject({ status: 201, body: { username: 'anna', role: 'accountant', tenantId: 'acme', created: true } });
    const anna = await login('anna', 'accountant-password');
    const me = await request('GET', '/api/auth/me', { cookie: anna });
    expect(me.body).toMatchObject({ username: 'anna', role: 'accountant', tenantId: 'acme', can: { manageUsers: false, retry: false } });
    const [stored] = await panel.dataSource.query(`SELECT password_hash FROM panel.users WHERE username = 'anna'`);
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain('accountant-password');
    const entries = await audit();
    expect(entries.at(-1)).toEqual({ username: 'root', action: 'user-create', tenantId: 'acme', outcome: 'done', details: { target: 'anna', role: 'accountant', tenantId: 'acme' } });
    expect(entries.filter((e: { outcome: string }) => e.outcome === 'failed: USER_EXISTS')).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain('accountant-password');
  });

  it('changes a role, disables and enables, resets a password: sessions end each time, all audited', async () => {
    const admin = await login('root', 'admin-password-1');
    await request('POST', '/api/users', { cookie: admin, body: { username: 'kasia', role: 'accountant', tenantId: 'acme', password: 'night-shift-pass-1' } });
    let kasia = await login('kasia', 'night-shift-pass-1');

    const promoted = await request('POST', '/api/users/kasia/role', { cookie: admin, body: { role: 'operator', tenantId: 'acme', reason: 'took over the night shift' } });
    expect(promoted).toMatchObject({ status: 200, body: { role: 'operator', tenantId: 'acme' } });
    expect((await request('GET', '/api/auth/me', { cookie: kasia })).status).toBe(401);
    kasia = await login('kasia', 'night-shift-pass-1');
    expect((await request('GET', '/api/auth/me', { cookie: kasia })).body.can.retry).toBe(true);

    expect((await request('POST', '/api/users/kasia/disable', { cookie: admin, body: { reason: 'left the company' } })).status).toBe(200);
    expect((await request('GET', '/api/auth/me', { cookie: kasia })).status).toBe(401);
    expect(await login('kasia', 'night-shift-pass-1')).toBe('status 401 LOGIN_FAILED');
    expect((await request('GET', '/api/users', { cookie: admin })).body.find((u: { username: string }) => u.username === 'kasia').disabledAt).not.toBeNull();
    expect((await request('POST', '/api/users/kasia/enable', { cookie: admin, body: {} })).status).toBe(200);
    kasia = await login('kasia', 'night-shift-pass-1');

    expect((await request('POST', '/api/users/kasia/password', { cookie: admin, body: { password: 'short' } })).body.error.code).toBe('PASSWORD_POLICY');
    expect((await request('POST', '/api/users/kasia/password', { cookie: admin, body: { password: 'fresh-secret-pass' } })).status).toBe(200);
    expect((await request('GET', '/api/auth/me', { cookie: kasia })).status).toBe(401);
    expect(await login('kasia', 'night-shift-pass-1')).toBe('status 401 LOGIN_FAILED');
    expect(await login('kasia', 'fresh-secret-pass')).toMatch(/^ksef_panel_session=/);

    expect((await request('POST', '/api/users/nobody/disable', { cookie: admin, body: {} })).body.error.code).toBe('USER_NOT_FOUND');
    expect((await request('POST', `/api/users/${encodeURIComponent("x' OR '1'='1")}/disable`, { cookie: admin, body: {} })).status).toBe(404);
    const actions = (await audit()).filter((e: { details: { target: string } }) => e.details.target === 'kasia').map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(['user-create done', 'user-role done', 'user-disable done', 'user-enable done', 'user-password-reset failed: PASSWORD_POLICY', 'user-password-reset done']);
  });

  it('never loses the last enabled admin, also when two admins demote each other at once', async () => {
    const root = await login('root', 'admin-password-1');
    for (const [action, body] of [['disable', {}], ['role', { role: 'operator', tenantId: 'acme' }]] as const) {
      const res = await request('POST', `/api/users/root/${action}`, { cookie: root, body });
      expect(res).toMatchObject({ status: 409, body: { error: { code: 'LAST_ADMIN' } } });
    }
    expect((await request('GET', '/api/auth/me', { cookie: root })).status).toBe(200);

    await request('POST', '/api/users', { cookie: root, body: { username: 'root2', role: 'admin', password: 'second-admin-pass' } });
    const root2 = await login('root2', 'second-admin-pass');
    const [a, b] = await Promise.all([
      request('POST', '/api/users/root2/disable', { cookie: root, body: {} }),
      request('POST', '/api/users/root/disable', { cookie: root2, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [{ n }] = await panel.dataSource.query(`SELECT count(*)::int AS n FROM panel.users WHERE role = 'admin' AND disabled_at IS NULL`);
    expect(n).toBe(1);
    // With a second admin, the first may step down.
    const survivor = a.status === 200 ? root : root2;
    const other = a.status === 200 ? 'root2' : 'root';
    expect((await request('POST', `/api/users/${other}/enable`, { cookie: survivor, body: {} })).status).toBe(200);
    const me = a.status === 200 ? 'root' : 'root2';
    expect((await request('POST', `/api/users/${me}/role`, { cookie: survivor, body: { role: 'operator', tenantId: 'acme' } })).status).toBe(200);
    expect((await request('GET', '/api/users', { cookie: survivor })).status).toBe(401);
  });
});
