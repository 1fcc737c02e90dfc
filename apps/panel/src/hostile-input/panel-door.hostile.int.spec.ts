import { startPanel, startStubBackend, type BackendCall, type PanelHarness, type StubBackend } from '../test/panel-harness';
import { PANEL_INJECTION_STRINGS } from './panel-injection-strings';

// Hostile input at the panel door (docs/panel.md "Hostile input"): a real BFF on its own PostgreSQL database, intake
// and the sender stubbed at their HTTP edge so every call the BFF makes is visible. Each case gets a stable code and
// the right status; nothing crashes, leaks (stack traces, SQL errors, hashes, another tenant's data) or reaches a
// backend it should not. What intake does with a hostile corrected document is proved against the real intake in
// apps/intake/src/hostile-input/panel-door.hostile.int.spec.ts.
const ACME = '11111111-1111-4111-8111-111111111111';
const GLOBEX = '22222222-2222-4222-8222-222222222222';
const OWNER: Record<string, string> = { [ACME]: 'acme', [GLOBEX]: 'globex' };
const LEAKS = /\bat .+\.(ts|js):\d+|QueryFailedError|syntax error|invalid input syntax|password_hash|scrypt\$|globex-secret|"stack"/i;

function intakeAnswer(call: BackendCall) {
  const tenant = (call.body as { tenant?: string } | undefined)?.tenant ?? call.query['tenant'];
  const m = /^\/invoices\/([^/]+)(?:\/(retry|cancel|resubmit))?$/.exec(call.path);
  if (m) {
    const owner = OWNER[m[1]];
    if (!owner || (tenant && tenant !== owner)) return { status: 404, body: { error: { code: 'INVOICE_NOT_FOUND', message: 'No invoice' } } };
    // intake's verdict on a document it refuses (the real one: see the intake spec named above).
    if (m[2] === 'resubmit') return { status: 422, body: { error: { code: 'XML_MALFORMED', message: 'The document is not well-formed XML' } } };
    if (m[2]) return { status: 200, body: { invoiceId: m[1], state: m[2] === 'retry' ? 'QUEUED' : 'CANCELLED', changed: true } };
    return { status: 200, body: { id: m[1], tenantId: owner, erpDocumentId: `${owner === 'globex' ? 'globex-secret' : 'acme'}-doc`, state: 'ESCALATED', history: [] } };
  }
  if (call.path === '/invoices') return { status: 200, body: { items: [], total: 0 } };
  if (call.path === '/dashboard') return { status: 200, body: { counts: {}, oldestQueuedAgeSeconds: 0, recentProblems: [] } };
  return { status: 404, body: { error: { code: 'NOPE', message: call.path } } };
}

function senderAnswer(call: BackendCall) {
  if (call.path.endsWith('/send-job')) return { status: 200, body: { job: { state: 'ESCALATED' }, attempts: [] } };
  if (call.path.endsWith('/requeue')) return { status: 200, body: { state: 'QUEUED', changed: true } };
  return { status: 200, body: { breaker: { state: 'closed', remainingOpenMs: 0 }, contexts: [] } };
}

describe('panel door under hostile input (real BFF and PostgreSQL; backends stubbed at their HTTP edge)', () => {
  let panel: PanelHarness;
  let intake: StubBackend;
  let sender: StubBackend;

  type Opts = { cookie?: string; body?: unknown; raw?: string; contentType?: string; csrf?: boolean; headers?: Record<string, string> };
  const request = async (method: string, path: string, opts: Opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie) headers['cookie'] = opts.cookie;
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    if (opts.csrf ?? method !== 'GET') headers['x-panel-request'] = '1';
    const res = await fetch(`${panel.url}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const text = await res.text();
    // Nothing the panel answers may leak internals, whatever was asked.
    expect(text).not.toMatch(LEAKS);
    let body: any = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { text };
    }
    return { status: res.status, body, code: body?.error?.code ?? body?.code, type: res.headers.get('content-type') ?? '', setCookie: res.headers.get('set-cookie') ?? '' };
  };
  const login = async (username: string, password: string) => (await request('POST', '/api/auth/login', { body: { username, password } })).setCookie.split(';')[0];
  const users = async () => (await panel.dataSource.query(`SELECT count(*)::int AS n FROM panel.users`))[0].n as number;
  const postsTo = (stub: StubBackend) => stub.calls.filter((c) => c.method === 'POST');

  beforeAll(async () => {
    intake = await startStubBackend(intakeAnswer);
    sender = await startStubBackend(senderAnswer);
    panel = await startPanel({ intakeUrl: intake.url, senderUrl: sender.url }, { maxFailures: 3 });
    await panel.createUser('anna', 'accountant', 'acme', 'accountant-password');
    await panel.createUser('olek', 'operator', 'acme', 'operator-password');
    await panel.createUser('root', 'admin', null, 'admin-password-1');
  }, 120_000);

  afterAll(async () => {
    await panel?.close();
    await intake?.close();
    await sender?.close();
  });

  describe('login', () => {
    it.each(PANEL_INJECTION_STRINGS.map((s) => [s]))('refuses the injected user name %j like any unknown user (401 LOGIN_FAILED)', async (name) => {
      const before = await users();
      const res = await request('POST', '/api/auth/login', { body: { username: name, password: name.padEnd(10, '!') } });
      expect({ status: res.status, code: res.code }).toEqual({ status: 401, code: 'LOGIN_FAILED' });
      expect(res.body).toEqual((await request('POST', '/api/auth/login', { body: { username: 'nobody-at-all', password: 'whatever-pass' } })).body);
      expect(await users()).toBe(before);
      await panel.dataSource.query(`DELETE FROM panel.login_failures`); // the lock-out has its own test
    });

    it('refuses malformed, wrong-shaped and oversized bodies with 4xx and stable codes', async () => {
      const cases: Array<[string, Opts, number, string]> = [
        ['broken JSON', { raw: '{"username": "root", "password": ' }, 400, 'BODY_INVALID'],
        ['an array', { raw: '[{"username": "root"}]' }, 400, 'REQUEST_INVALID'],
        ['null', { raw: 'null' }, 400, 'REQUEST_INVALID'],
        ['__proto__ pollution', { raw: '{"username": "root", "password": "admin-password-1", "__proto__": {"role": "admin"}}' }, 400, 'BODY_INVALID'],
        ['an extra field (role)', { body: { username: 'anna', password: 'accountant-password', role: 'admin' } }, 400, 'REQUEST_INVALID'],
        ['numbers instead of strings', { body: { username: 1, password: 2 } }, 400, 'REQUEST_INVALID'],
        ['a NUL byte in the user name', { body: { username: 'root\u0000', password: 'admin-password-1' } }, 400, 'REQUEST_INVALID'],
        ['a 10 kB user name', { body: { username: 'a'.repeat(10_000), password: 'x'.repeat(20) } }, 400, 'REQUEST_INVALID'],
        ['a form post', { raw: 'username=root&password=admin-password-1', contentType: 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['text/plain', { raw: '{"username":"root","password":"admin-password-1"}', contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a 5 MB body', { body: { username: 'root', password: 'p'.repeat(5_000_000) } }, 413, 'BODY_TOO_LARGE'],
        ['a deeply nested body', { raw: `{"username":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x"}` }, 400, 'REQUEST_INVALID'],
      ];
      for (const [what, opts, status, code] of cases) {
        const res = await request('POST', '/api/auth/login', opts);
        expect({ what, status: res.status, code: res.code, cookie: res.setCookie }).toEqual({ what, status, code, cookie: '' });
      }
    });
  });

  describe('sessions', () => {
    it('answers missing, forged, tampered, injected, oversized, expired, logged-out and disabled-user cookies with the same 401', async () => {
      const live = await login('olek', 'operator-password');
      const token = live.split('=')[1];
      const expiring = await login('olek', 'operator-password');
      await panel.dataSource.query(`UPDATE panel.sessions SET expires_at = now() - interval '1 second' WHERE id_sha256 = sha256(convert_to($1, 'UTF8'))`, [expiring.split('=')[1]]);
      const loggedOut = await login('olek', 'operator-password');
      await request('POST', '/api/auth/logout', { cookie: loggedOut });
      await panel.createUser('gone', 'operator', 'acme', 'gone-password-1');
      const disabled = await login('gone', 'gone-password-1');
      await panel.dataSource.query(`UPDATE panel.users SET disabled_at = now() WHERE username = 'gone'`);
      const flip = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      const cookies = [
        undefined,
        'ksef_panel_session=',
        `ksef_panel_session=${'A'.repeat(43)}`,
        `ksef_panel_session=${flip}`,
        `ksef_panel_session=${encodeURIComponent("' OR '1'='1")}`,
        `ksef_panel_session=%E0%A4%A`, // malformed percent-encoding
        `ksef_panel_session=${'A'.repeat(10_000)}`,
        `other=1; ksef_panel_session_x=${token}`,
        expiring,
        loggedOut,
        disabled,
      ];
      for (const cookie of cookies) {
        for (const [method, path] of [['GET', '/api/auth/me'], ['GET', '/api/invoices'], ['POST', `/api/invoices/${ACME}/cancel`]]) {
          const res = await request(method, path, { cookie, body: method === 'POST' ? { reason: 'hostile' } : undefined });
          expect({ cookie, path, status: res.status, body: res.body }).toEqual({ cookie, path, status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Log in first' } } });
        }
      }
      expect((await request('GET', '/api/auth/me', { cookie: live })).status).toBe(200);
      expect(postsTo(intake).filter((c) => c.path.endsWith('/cancel'))).toEqual([]);
    });
  });

  describe('CSRF', () => {
    it('refuses cross-site mutations: no panel header, a foreign Origin, Sec-Fetch-Site cross-site; nothing reaches a backend or the audit', async () => {
      const cookie = await login('olek', 'operator-password');
      intake.calls.length = 0;
      const cases: Array<[Opts, string]> = [
        // What a hostile page's <form method=post> can send: a simple content type, the cookie (if SameSite failed), no header.
        [{ cookie, raw: 'reason=pwned', contentType: 'application/x-www-form-urlencoded', csrf: false }, 'CSRF_HEADER_MISSING'],
        [{ cookie, raw: '{"reason":"pwned"}', contentType: 'text/plain', csrf: false }, 'CSRF_HEADER_MISSING'],
        [{ cookie, body: { reason: 'pwned' }, csrf: false }, 'CSRF_HEADER_MISSING'],
        [{ cookie, body: { reason: 'pwned' }, headers: { 'x-panel-request': 'true' }, csrf: false }, 'CSRF_HEADER_MISSING'],
        [{ cookie, body: { reason: 'pwned' }, headers: { origin: 'https://evil.example' } }, 'CSRF_ORIGIN_MISMATCH'],
        [{ cookie, body: { reason: 'pwned' }, headers: { origin: 'null' } }, 'CSRF_ORIGIN_MISMATCH'],
        [{ cookie, body: { reason: 'pwned' }, headers: { 'sec-fetch-site': 'cross-site' } }, 'CSRF_ORIGIN_MISMATCH'],
      ];
      for (const [opts, code] of cases) {
        for (const path of [`/api/invoices/${ACME}/cancel`, '/api/auth/logout', '/api/users']) {
          const res = await request('POST', path, opts);
          expect({ path, status: res.status, code: res.code }).toEqual({ path, status: 403, code });
        }
      }
      expect(intake.calls).toEqual([]);
      expect(await panel.dataSource.query(`SELECT action FROM panel.audit_log WHERE reason = 'pwned'`)).toEqual([]);
      expect((await request('GET', '/api/auth/me', { cookie })).status).toBe(200); // logout was refused too
      const sameOrigin = await request('POST', `/api/invoices/${ACME}/acknowledge`, { cookie, body: { reason: 'own origin' }, headers: { origin: panel.url, 'sec-fetch-site': 'same-origin' } });
      expect(sameOrigin.status).toBe(200);
    });
  });

  describe('injection in every text field', () => {
    it('passes every filter and the search box to intake verbatim (never as SQL) and answers JSON', async () => {
      const cookie = await login('root', 'admin-password-1');
      for (const s of PANEL_INJECTION_STRINGS) {
        const q = new URLSearchParams({ state: s, tenant: s, contextNip: s, erpDocumentId: s, ksefNumber: s, from: s, to: s, q: s, limit: s, offset: s });
        const res = await request('GET', `/api/invoices?${q}`, { cookie });
        expect(res.status).toBe(200);
        expect(res.type).toContain('application/json');
        expect(intake.calls.at(-1)?.query).toEqual(Object.fromEntries([...q.keys()].map((k) => [k, s])));
      }
      // Unknown parameters never travel (a hostile `tenant_id` or `limit` twin is dropped, not interpreted).
      await request('GET', '/api/invoices?tenant_id=globex&sql=1%3BDROP&q=x', { cookie });
      expect(intake.calls.at(-1)?.query).toEqual({ q: 'x' });
    });

    it('answers injected or malformed invoice ids as a missing invoice (404) without calling any backend', async () => {
      const cookie = await login('olek', 'operator-password');
      intake.calls.length = 0;
      sender.calls.length = 0;
      for (const id of ["' OR '1'='1", '../dashboard', '1; DROP TABLE panel.audit_log', `${ACME}x`, '<script>alert(1)</script>', '%00']) {
        const path = `/api/invoices/${encodeURIComponent(id)}`;
        expect((await request('GET', path, { cookie })).code).toBe('INVOICE_NOT_FOUND');
        for (const action of ['retry', 'cancel', 'acknowledge']) {
          const res = await request('POST', `${path}/${action}`, { cookie, body: { reason: 'hostile id' } });
          expect([res.status, res.code]).toEqual([404, 'INVOICE_NOT_FOUND']);
        }
      }
      expect([...intake.calls, ...sender.calls]).toEqual([]);
    });

    it('stores reasons and ERP document ids verbatim in the audit trail and passes them on unchanged', async () => {
      const cookie = await login('olek', 'operator-password');
      for (const s of PANEL_INJECTION_STRINGS) {
        const reason = `reason ${s}`;
        const res = await request('POST', `/api/invoices/${ACME}/retry`, { cookie, body: { reason } });
        expect(res.status).toBe(200);
        expect(postsTo(intake).at(-1)?.body).toEqual({ tenant: 'acme', user: 'olek', reason });
        const [row] = await panel.dataSource.query(`SELECT reason FROM panel.audit_log WHERE invoice_id = $1 ORDER BY id DESC LIMIT 1`, [ACME]);
        expect(row.reason).toBe(reason);
        const resubmit = await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, body: { reason, erpDocumentId: s, xml: '<Faktura/>' } });
        expect([resubmit.status, resubmit.code]).toEqual([422, 'XML_MALFORMED']);
        expect(postsTo(intake).at(-1)?.body).toMatchObject({ erpDocumentId: s, reason });
      }
      expect((await panel.dataSource.query(`SELECT count(*)::int AS n FROM panel.audit_log`))[0].n).toBeGreaterThan(0); // the table survived
    });

    it('refuses a NUL byte in a reason with 400 instead of a PostgreSQL error', async () => {
      const cookie = await login('olek', 'operator-password');
      const res = await request('POST', `/api/invoices/${ACME}/acknowledge`, { cookie, body: { reason: 'nul \u0000 here' } });
      expect([res.status, res.code]).toEqual([400, 'REQUEST_INVALID']);
    });
  });

  describe('re-submit door', () => {
    it('refuses oversized and malformed bodies before intake; passes intake refusals on with their code and audits them', async () => {
      const cookie = await login('anna', 'accountant-password');
      intake.calls.length = 0;
      const big = await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, body: { reason: 'big one', erpDocumentId: 'FV/1', xml: `<a>${'x'.repeat(4_500_000)}</a>` } });
      expect([big.status, big.code]).toEqual([413, 'BODY_TOO_LARGE']);
      const broken = await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, raw: '{"reason": "x", "xml": "<a' });
      expect([broken.status, broken.code]).toEqual([400, 'BODY_INVALID']);
      const wrong = await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, body: { reason: 'ok reason', erpDocumentId: ['FV/1'], xml: { a: 1 } } });
      expect([wrong.status, wrong.code]).toEqual([400, 'REQUEST_INVALID']);
      expect(postsTo(intake)).toEqual([]);
      // A 2.9 MB invoice (KSeF takes 3 MB with attachments) passes the panel whole; intake judges it.
      const large = `<a>${'ż'.repeat(1_450_000)}</a>`;
      await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, body: { reason: 'large one', erpDocumentId: 'FV/1-large', xml: large } });
      expect((postsTo(intake).at(-1)?.body as { xml?: string } | undefined)?.xml).toBe(large);
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Faktura>&lol2;</Faktura>`;
      const refused = await request('POST', `/api/invoices/${ACME}/resubmit`, { cookie, body: { reason: 'corrected', erpDocumentId: 'FV/1-fix', xml: laughs } });
      expect([refused.status, refused.code]).toEqual([422, 'XML_MALFORMED']);
      expect(postsTo(intake).at(-1)?.body).toMatchObject({ xml: laughs }); // forwarded unexpanded, byte for byte
      const [audit] = await panel.dataSource.query(`SELECT action, outcome FROM panel.audit_log WHERE reason = 'corrected'`);
      expect(audit).toEqual({ action: 'resubmit', outcome: 'failed: XML_MALFORMED' });
    });

    it("turns a backend's 500 with SQL and a stack, or an answer that is not JSON, into 502 without passing the text on", async () => {
      const cookie = await login('olek', 'operator-password');
      const original = intake.answer;
      intake.answer = () => ({ status: 500, body: { error: { code: 'INTERNAL', message: 'QueryFailedError: syntax error at /app/x.ts:1:2', stack: 'at /app/x.ts:1:2' } } });
      try {
        const res = await request('GET', `/api/invoices/${ACME}`, { cookie }); // request() fails on any leaked text
        expect([res.status, res.body]).toEqual([502, { error: { code: 'BACKEND_FAILED', message: 'intake answered 500' } }]);
        // A proxy's HTML page (even with 200) or a truncated body: 502, not the JSON parser's 500.
        for (const raw of ['<html><body>502 Bad Gateway at /app/x.ts:1:2</body></html>', '{"id": "11111111-']) {
          intake.answer = () => ({ status: 200, body: null, raw });
          const page = await request('GET', `/api/invoices/${ACME}`, { cookie });
          expect([page.status, page.code]).toEqual([502, 'BACKEND_INVALID_ANSWER']);
        }
      } finally {
        intake.answer = original;
      }
    });
  });

  describe('tenants and roles', () => {
    it("keeps an acme user away from globex's invoices by id, list, search, dashboard, audit and every intervention", async () => {
      const accountant = await login('anna', 'accountant-password');
      const operator = await login('olek', 'operator-password');
      intake.calls.length = 0;
      for (const cookie of [accountant, operator]) {
        expect((await request('GET', `/api/invoices/${GLOBEX}`, { cookie })).code).toBe('INVOICE_NOT_FOUND');
        for (const path of ['/api/invoices?tenant=globex', '/api/invoices?tenant=globex&q=secret', '/api/dashboard?tenant=globex', '/api/audit?tenant=globex']) {
          expect([(await request('GET', path, { cookie })).code]).toEqual(['TENANT_FORBIDDEN']);
        }
      }
      for (const action of ['retry', 'cancel', 'acknowledge']) expect((await request('POST', `/api/invoices/${GLOBEX}/${action}`, { cookie: operator, body: { reason: 'not mine' } })).code).toBe('INVOICE_NOT_FOUND');
      expect((await request('POST', `/api/invoices/${GLOBEX}/resubmit`, { cookie: accountant, body: { reason: 'not mine', erpDocumentId: 'X', xml: '<a/>' } })).code).toBe('INVOICE_NOT_FOUND');
      // Every call that reached intake was pinned to acme; no intervention was attempted on globex's invoice.
      expect(intake.calls.every((c) => (c.query['tenant'] ?? (c.body as { tenant?: string })?.tenant) === 'acme')).toBe(true);
      expect(postsTo(intake)).toEqual([]);
      expect(postsTo(sender)).toEqual(expect.not.arrayContaining([expect.objectContaining({ path: expect.stringContaining(GLOBEX) })]));
      expect(await panel.dataSource.query(`SELECT outcome FROM panel.audit_log WHERE invoice_id = $1`, [GLOBEX])).toEqual([]);
    });

    it('refuses operator and admin actions to an accountant with 403 FORBIDDEN, before any backend call', async () => {
      const cookie = await login('anna', 'accountant-password');
      intake.calls.length = 0;
      sender.calls.length = 0;
      for (const action of ['retry', 'cancel', 'acknowledge']) expect((await request('POST', `/api/invoices/${ACME}/${action}`, { cookie, body: { reason: 'I want to' } })).code).toBe('FORBIDDEN');
      expect((await request('GET', '/api/users', { cookie })).code).toBe('FORBIDDEN');
      expect((await request('POST', '/api/users', { cookie, body: { username: 'mallory', role: 'admin', password: 'mallory-password' } })).code).toBe('FORBIDDEN');
      expect((await request('POST', '/api/users/anna/role', { cookie, body: { role: 'admin' } })).code).toBe('FORBIDDEN');
      expect([...intake.calls, ...sender.calls]).toEqual([]);
      expect((await request('GET', '/api/auth/me', { cookie })).body.role).toBe('accountant');
    });
  });

  describe('brute force (last: it locks this client address out)', () => {
    it('locks a user name after 3 failures and the address after 15, even for the right password, with Retry-After', async () => {
      await panel.dataSource.query(`DELETE FROM panel.login_failures`);
      for (let i = 0; i < 3; i++) await request('POST', '/api/auth/login', { body: { username: 'olek', password: `guess-${i}-password` } });
      expect((await request('POST', '/api/auth/login', { body: { username: 'olek', password: 'operator-password' } })).code).toBe('LOGIN_LOCKED');
      // Spraying other names from the same address: 12 more failures reach 15 for the address.
      for (let i = 0; i < 12; i++) expect((await request('POST', '/api/auth/login', { body: { username: `spray-${i}`, password: 'Summer2026!' } })).status).toBe(401);
      const res = await fetch(`${panel.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-panel-request': '1' }, body: JSON.stringify({ username: 'root', password: 'admin-password-1' }) });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LOGIN_LOCKED');
    });
  });
});
