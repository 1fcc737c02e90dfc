import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, freePort, spawnLogged, stopProcess, testKafkaBrokers, waitFor, type TestDatabase } from '@ksef-bridge/testing';

// The built panel in headless Chromium against stand-ins for intake and the sender (the whole pipeline is exercised
// by panel.e2e.spec.ts): (1) hostile text from the backends (an ESCALATED invoice whose error message, ERP document id
// and KSeF error body carry `<img src=x onerror=…>` and `<script>`) is shown as text and runs nothing; (2) an admin
// creates an accountant on the users screen, the accountant logs in and sees no admin menu.
const root = join(__dirname, '../../../..');
const ID = '33333333-3333-4333-8333-333333333333';
const HOSTILE_MSG = `KSeF said <img src=x onerror="window.__pwned=1;alert(1)"> and <script>window.__pwned=2</script>`;
const HOSTILE_DOC = `FV/<img src=x onerror=window.__pwned=3>`;

function stub(answer: (path: string) => unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname.replace('/internal/v1/panel', '');
    const body = answer(path);
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: { code: 'INVOICE_NOT_FOUND', message: 'No invoice' } }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

const at = '2026-11-25T10:00:00.000Z';
const invoice = { id: ID, tenantId: 'acme', erpDocumentId: HOSTILE_DOC, state: 'ESCALATED', stateLabelPl: 'eskalowana (wymaga interwencji)', contextNip: '5265877635', metadata: { note: HOSTILE_MSG }, createdAt: at, updatedAt: at };
const intakeAnswer = (path: string) => {
  if (path === '/dashboard') return { counts: { ESCALATED: 1 }, oldestQueuedAgeSeconds: 0, recentProblems: [{ invoiceId: ID, tenantId: 'acme', erpDocumentId: HOSTILE_DOC, toState: 'ESCALATED', errorCode: 'ATTEMPTS_EXHAUSTED', at }] };
  if (path === '/invoices') return { items: [{ ...invoice, invoiceNumber: HOSTILE_DOC, ksefNumber: null, lastErrorCode: 'ATTEMPTS_EXHAUSTED' }], total: 1 };
  if (path === `/invoices/${ID}`) {
    return { ...invoice, history: [{ at, to: 'RECEIVED', actor: 'erp' }, { at, from: 'QUEUED', to: 'ESCALATED', actor: 'sender', errorCode: 'ATTEMPTS_EXHAUSTED', details: { message: HOSTILE_MSG } }], documentXml: `<Faktura>${HOSTILE_MSG.replace(/</g, '&lt;')}</Faktura>` };
  }
  return undefined;
};
const senderAnswer = (path: string) => {
  if (path === '/contexts') return { breaker: { state: 'closed', remainingOpenMs: 0 }, contexts: [] };
  if (path === `/invoices/${ID}/send-job`) {
    return {
      job: { state: 'ESCALATED', attempts: 3, nextAttemptAt: at, lastErrorCode: 'KSEF_5XX' },
      attempts: [{ attempt: 1, counted: true, startedAt: at, finishedAt: at, outcome: 'transient', httpStatus: 503, errorCode: 'KSEF_5XX', errorMessage: HOSTILE_MSG, exceptionCodes: null, errorBody: { message: HOSTILE_MSG }, sessionReferenceNumber: null }],
    };
  }
  return undefined;
};

describe('panel door in headless Chromium: hostile text is inert; admins manage users', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'panel-door-e2e-'));
  const shots = process.env['PANEL_SCREENSHOTS_DIR'] ? join(root, process.env['PANEL_SCREENSHOTS_DIR']) : logDir;
  let db: TestDatabase;
  let panel: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  let stubs: Server[] = [];
  let panelUrl = '';
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    db = await createTestDatabase('panel_e2e');
    const [intake, sender] = await Promise.all([stub(intakeAnswer), stub(senderAnswer)]);
    stubs = [intake.server, sender.server];
    const port = await freePort();
    panelUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      PGHOST: db.config.host,
      PGPORT: String(db.config.port),
      PGUSER: db.config.user,
      PGPASSWORD: db.config.password,
      PGDATABASE: db.config.database,
      INTERNAL_API_TOKEN: 'panel-door-e2e-internal-token',
      PANEL_INTAKE_URL: intake.url,
      PANEL_SENDER_URL: sender.url,
      LOG_LEVEL: 'warn',
      OTEL_ENABLED: 'false',
    };
    execFileSync(process.execPath, [join(root, 'dist/apps/panel/main.js'), 'create-user', 'root', 'admin'], { env, input: 'admin-password-1', timeout: 120_000 });
    panel = spawnLogged(process.execPath, ['--enable-source-maps', join(root, 'dist/apps/panel/main.js')], join(logDir, 'panel.log'), { env });
    await waitFor(async () => (await fetch(`${panelUrl}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, what: `panel ready (log: ${logDir}/panel.log)` });
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'panel-chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stopProcess(panel);
    await Promise.all(stubs.map((s) => new Promise((resolve) => s.close(resolve))));
    await db?.drop();
  }, 120_000);

  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `panel-${name}.png`), fullPage: true });
  const newPage = async () => {
    const page = await browser!.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  };
  const login = async (page: Page, username: string, password: string) => {
    await browser!.clearCookies(); // one browser profile for both tests: start logged out
    await page.goto(panelUrl);
    await page.getByLabel('Użytkownik').fill(username);
    await page.getByLabel('Hasło').fill(password);
    await page.getByRole('button', { name: 'Zaloguj' }).click();
    await page.getByTestId('dashboard').waitFor();
  };
  /** Nothing the hostile text carried ran: no flag, no alert, no element made of it. */
  const inert = async (page: Page) => {
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  };

  it('shows injected markup in an error message, document id and KSeF body as text and runs none of it', async () => {
    const page = await newPage();
    await login(page, 'root', 'admin-password-1');
    expect(await page.getByTestId('dashboard').textContent()).toContain(HOSTILE_DOC);
    await inert(page);
    await page.goto(`${panelUrl}/#/invoices`);
    await page.getByTestId('invoice-row').first().waitFor();
    expect(await page.getByTestId('invoice-list').textContent()).toContain(HOSTILE_DOC);
    await inert(page);
    await page.goto(`${panelUrl}/#/invoices/${ID}`);
    await page.getByTestId('invoice-detail').waitFor();
    await page.getByTestId('validation').waitFor();
    // The validation view, the attempts (message and KSeF body) and the history show the literal text.
    expect(await page.getByTestId('validation').textContent()).toContain('<img src=x onerror="window.__pwned=1;alert(1)">');
    expect(await page.getByTestId('attempts').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.getByTestId('invoice-detail').textContent()).toContain(HOSTILE_DOC);
    await page.waitForTimeout(500); // an image error handler would have fired by now
    await inert(page);
    await shot(page, 'hostile-text');
    await page.close();
  }, 120_000);

  it('lets an admin create an accountant, who logs in and sees no admin menu', async () => {
    const page = await newPage();
    await login(page, 'root', 'admin-password-1');
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users').waitFor();
    const form = page.getByTestId('user-create');
    await form.getByLabel('Użytkownik').fill('anna');
    await form.getByLabel('Rola').selectOption('accountant');
    await form.getByLabel('Najemca').fill('acme');
    await form.getByLabel('Hasło początkowe').fill('short');
    await form.getByRole('button', { name: 'Dodaj użytkownika' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('PASSWORD_POLICY');
    await form.getByLabel('Hasło początkowe').fill('accountant-password');
    await form.getByRole('button', { name: 'Dodaj użytkownika' }).click();
    await page.getByTestId('user-anna').waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Wykonano');
    await shot(page, 'users');
    // The creation is in the intervention log, with its target.
    await page.goto(`${panelUrl}/#/audit`);
    await waitFor(async () => ((await page.getByTestId('audit').textContent()) ?? '').includes('user-create: anna'), { timeoutMs: 10_000, what: 'user-create in the audit log' });
    await page.getByRole('button', { name: 'Wyloguj' }).click();
    await page.getByRole('button', { name: 'Zaloguj' }).waitFor();

    await login(page, 'anna', 'accountant-password');
    expect(await page.getByTestId('who').textContent()).toBe('anna (accountant, acme)');
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    await page.goto(`${panelUrl}/#/users`);
    await page.getByTestId('dashboard').waitFor();
    expect(await page.getByTestId('users').count()).toBe(0);
    // And the BFF refuses the screen's API to her whatever the SPA shows.
    const status = await page.evaluate(async () => (await fetch('/api/users')).status);
    expect(status).toBe(403);
    const audit = await fetch(`${panelUrl}/api/audit`).then((r) => r.status);
    expect(audit).toBe(401);
    await page.close();
  }, 120_000);
});
