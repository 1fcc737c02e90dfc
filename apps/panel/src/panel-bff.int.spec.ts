import { startPanel, startStubBackend, type BackendCall, type PanelHarness, type StubBackend } from './test/panel-harness';

const ACME_INVOICE = '11111111-1111-4111-8111-111111111111';
const GLOBEX_INVOICE = '22222222-2222-4222-8222-222222222222';
const TENANT_OF: Record<string, string> = { [ACME_INVOICE]: 'acme', [GLOBEX_INVOICE]: 'globex' };

/** intake's side as the panel sees it: tenant-scoped reads (another tenant's invoice is 404) and a retry. */
function intakeAnswer(call: BackendCall) {
  const m = /^\/invoices\/([^/]+)(\/retry)?$/.exec(call.path);
  if (m) {
    const tenant = (call.body as { tenant?: string } | undefined)?.tenant ?? call.query['tenant'];
    const owner = TENANT_OF[m[1]];
    if (!owner || (tenant && tenant !== owner)) return { status: 404, body: { error: { code: 'INVOICE_NOT_FOUND', message: 'No invoice' } } };
    if (m[2]) return { status: 200, body: { invoiceId: m[1], state: 'QUEUED', changed: true } };
    return { status: 200, body: { id: m[1], tenantId: owner, state: 'ESCALATED', history: [] } };
  }
  if (call.path === '/invoices') return { status: 200, body: { items: [], total: 0 } };
  if (call.path === '/dashboard') return { status: 200, body: { counts: {}, oldestQueuedAgeSeconds: 0, recentProblems: [] } };
  return { status: 404, body: { error: { code: 'NOPE', message: call.path } } };
}

function senderAnswer(call: BackendCall) {
  if (call.path.endsWith('/send-job')) return { status: 200, body: { job: { state: 'ESCALATED' }, attempts: [] } };
  if (call.path.endsWith('/requeue')) return { status: 200, body: { state: 'QUEUED', changed: true } };
  if (call.path === '/contexts') return { status: 200, body: { breaker: { state: 'closed', remainingOpenMs: 0 }, contexts: [] } };
  return { status: 404, body: { code: 'NOPE', message: call.path } };
}

describe('panel BFF (real PostgreSQL; intake and the sender stubbed at their HTTP edge)', () => {
  let panel: PanelHarness;
  let intake: StubBackend;
  let sender: StubBackend;

  const request = async (method: string, path: string, opts: { cookie?: string; body?: unknown; csrf?: boolean } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers['cookie'] = opts.cookie;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.csrf ?? method !== 'GET') headers['x-panel-request'] = '1';
    const res = await fetch(`${panel.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as any, setCookie: res.headers.get('set-cookie') ?? '' };
  };
  const login = async (username: string, password: string) => {
    const res = await request('POST', '/api/auth/login', { body: { username, password } });
    expect(res.status).toBe(200);
    return res.setCookie.split(';')[0];
  };

  beforeAll(async () => {
    intake = await startStubBackend(intakeAnswer);
    sender = await startStubBackend(senderAnswer);
    panel = await startPanel({ intakeUrl: intake.url, senderUrl: sender.url }, { maxFailures: 3 });
    await panel.createUser('anna', 'accountant', 'acme', 'accountant-password');
    await panel.createUser('olek', 'operator', 'acme', 'operator-password');
    await panel.createUser('root', 'admin', null, 'admin-password-1');
    await panel.createUser('locked', 'operator', 'acme', 'locked-password');
  }, 120_000);

  afterAll(async () => {
    await panel?.close();
    await intake?.close();
    await sender?.close();
  });

  it('logs in with an httpOnly SameSite=Strict session cookie and refuses wrong passwords and unknown users alike', async () => {
    const ok = await request('POST', '/api/auth/login', { body: { username: 'olek', password: 'operator-password' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ username: 'olek', role: 'operator', tenantId: 'acme', can: { retry: true, allTenants: false } });
    expect(ok.setCookie).toMatch(/^ksef_panel_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    const stored = await panel.dataSource.query(`SELECT count(*)::int AS n FROM panel.sessions`);
    expect(stored[0].n).toBeGreaterThan(0);
    const wrong = await request('POST', '/api/auth/login', { body: { username: 'olek', password: 'nope-nope-nope' } });
    const unknown = await request('POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope-nope-nope' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect((await request('GET', '/api/auth/me')).status).toBe(401);
    expect((await request('GET', '/api/auth/me', { cookie: 'ksef_panel_session=forged' })).status).toBe(401);
  });

  it('locks a user name out after too many failures, even with the right password afterwards', async () => {
    for (let i = 0; i < 3; i++) expect((await request('POST', '/api/auth/login', { body: { username: 'locked', password: `wrong-${i}-password` } })).status).toBe(401);
    const res = await request('POST', '/api/auth/login', { body: { username: 'locked', password: 'locked-password' } });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('LOGIN_LOCKED');
  });

  it('refuses mutations without the CSRF header, and ends the session on logout', async () => {
    const cookie = await login('root', 'admin-password-1');
    expect((await request('POST', '/api/auth/login', { body: { username: 'root', password: 'admin-password-1' }, csrf: false })).status).toBe(403);
    const noHeader = await request('POST', `/api/invoices/${ACME_INVOICE}/retry`, { cookie, body: { reason: 'because' }, csrf: false });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('CSRF_HEADER_MISSING');
    expect((await request('POST', '/api/auth/logout', { cookie })).status).toBe(200);
    expect((await request('GET', '/api/auth/me', { cookie })).status).toBe(401);
  });

  it('pins non-admins to their tenant in every call to intake; admins see every tenant', async () => {
    const cookie = await login('anna', 'accountant-password');
    intake.calls.length = 0;
    expect((await request('GET', '/api/invoices?state=ESCALATED&tenant=acme', { cookie })).status).toBe(200);
    expect(intake.calls.at(-1)?.query).toEqual({ tenant: 'acme', state: 'ESCALATED' });
    expect((await request('GET', '/api/invoices?tenant=globex', { cookie })).status).toBe(403);
    expect((await request('GET', `/api/invoices/${GLOBEX_INVOICE}`, { cookie })).status).toBe(404);
    expect((await request('GET', `/api/invoices/${ACME_INVOICE}`, { cookie })).status).toBe(200);
    expect(intake.calls.every((c) => c.query['tenant'] === 'acme' && c.authorization === 'Bearer panel-harness-internal-token')).toBe(true);

    const admin = await login('root', 'admin-password-1');
    await request('GET', '/api/invoices', { cookie: admin });
    expect(intake.calls.at(-1)?.query).toEqual({});
    expect((await request('GET', `/api/invoices/${GLOBEX_INVOICE}`, { cookie: admin })).status).toBe(200);
  });

  it('lets operators retry (intake first, then the sender) with an audit entry; accountants may not', async () => {
    const accountant = await login('anna', 'accountant-password');
    expect((await request('POST', `/api/invoices/${ACME_INVOICE}/retry`, { cookie: accountant, body: { reason: 'please' } })).status).toBe(403);
    const operator = await login('olek', 'operator-password');
    expect((await request('POST', `/api/invoices/${ACME_INVOICE}/retry`, { cookie: operator, body: {} })).status).toBe(400);
    expect((await request('POST', `/api/invoices/${GLOBEX_INVOICE}/retry`, { cookie: operator, body: { reason: 'not mine' } })).status).toBe(404);
    intake.calls.length = 0;
    sender.calls.length = 0;
    const res = await request('POST', `/api/invoices/${ACME_INVOICE}/retry`, { cookie: operator, body: { reason: 'KSeF is back' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'QUEUED', sendJob: 'QUEUED' });
    expect(intake.calls.find((c) => c.method === 'POST')?.body).toEqual({ tenant: 'acme', user: 'olek', reason: 'KSeF is back' });
    expect(sender.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /invoices/${ACME_INVOICE}/send-job`, `POST /invoices/${ACME_INVOICE}/requeue`]);
    const audit = await panel.dataSource.query(`SELECT username, role, action, tenant_id, reason, outcome FROM panel.audit_log WHERE invoice_id = $1 ORDER BY id`, [ACME_INVOICE]);
    expect(audit).toEqual([{ username: 'olek', role: 'operator', action: 'retry', tenant_id: 'acme', reason: 'KSeF is back', outcome: 'done' }]);
    await expect(panel.dataSource.query(`DELETE FROM panel.audit_log`)).rejects.toThrow('append-only');
  });

  it('acknowledges an escalation once and shows the flag on the invoice', async () => {
    const operator = await login('olek', 'operator-password');
    const first = await request('POST', `/api/invoices/${ACME_INVOICE}/acknowledge`, { cookie: operator, body: { reason: 'looking into it' } });
    expect(first.body).toMatchObject({ acknowledged: true, changed: true });
    expect((await request('POST', `/api/invoices/${ACME_INVOICE}/acknowledge`, { cookie: operator, body: { reason: 'again' } })).body.changed).toBe(false);
    const detail = await request('GET', `/api/invoices/${ACME_INVOICE}`, { cookie: operator });
    expect(detail.body.acknowledgement).toMatchObject({ username: 'olek', note: 'looking into it' });
    expect(detail.body.audit.map((a: { action: string }) => a.action)).toEqual(['retry', 'acknowledge', 'acknowledge']);
  });
});
