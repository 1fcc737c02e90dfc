import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { freePort, spawnLogged, stopProcess, waitFor } from '@ksef-bridge/testing';
import { PipelineSystem } from '../support/pipeline-system';

// The operator panel against the whole built system: KSeF (the simulator) fails every invoice send until the sender
// escalates; the fault is lifted; an operator logs in in headless Chromium, finds the escalated invoice, reads its
// error, retries it, and sees it accepted with a KSeF number. Screenshots go to PANEL_SCREENSHOTS_DIR (docs/images
// when refreshing the docs) or the run's log directory.
const root = join(__dirname, '../../../..');
const NIP = '5265877635';
const INTERNAL_TOKEN = 'e2e-internal-token'; // the harness's token for /internal (support/pipeline-system.ts)
const PASSWORD = 'operator-password-1';
const SEND = 'POST /v2/sessions/online/:referenceNumber/invoices';

describe('operator panel, end to end in headless Chromium', () => {
  const system = new PipelineSystem({
    contexts: [NIP],
    env: { sender: { SENDER_MAX_ATTEMPTS: '3', SENDER_RETRY_DELAYS_MS: '100,200', SENDER_RETRY_MULTIPLIER: '2', SENDER_RETRY_MAX_DELAY_MS: '500', SENDER_POLL_INTERVAL_MS: '100', SENDER_BREAKER_FAILURES: '100', SENDER_LEASE_MS: '4000', KSEF_RATE_LIMITS: 'te' } },
  });
  const shots = process.env['PANEL_SCREENSHOTS_DIR'] ? join(root, process.env['PANEL_SCREENSHOTS_DIR']) : system.logDir;
  let panel: ChildProcess | undefined;
  let panelUrl = '';
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    await system.start();
    mkdirSync(shots, { recursive: true });
    const port = await freePort();
    panelUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: system.kafka.brokers.join(','),
      PGDATABASE: system.db.config.database,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      PANEL_INTAKE_URL: system.urls.intake,
      PANEL_SENDER_URL: system.urls.sender,
      LOG_LEVEL: 'warn',
      OTEL_ENABLED: 'false',
    };
    execFileSync(process.execPath, [join(root, 'dist/apps/panel/main.js'), 'create-user', 'olek', 'operator', system.tenant], { env, input: PASSWORD, timeout: 120_000 });
    panel = spawnLogged(process.execPath, ['--enable-source-maps', join(root, 'dist/apps/panel/main.js')], join(system.logDir, 'panel.log'), { env });
    await waitFor(async () => (await fetch(`${panelUrl}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, what: `panel ready (log: ${system.logDir}/panel.log)` });
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
    await system.stop();
  }, 120_000);

  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `panel-${name}.png`), fullPage: true });

  it('logs in, finds the escalated invoice, reads its error, retries it and sees it accepted', async () => {
    // KSeF answers every send with 503 until the sender gives up (3 counted attempts).
    await system.simulatorAdmin('faults', { type: 'error5xx', endpoint: SEND, statuses: [503] });
    const escalated = await system.post('FV-PANEL-1', buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV/PANEL/1' }));
    const invalid = await system.post('FV-PANEL-BAD', buildSampleInvoice({ sellerNip: NIP, buyerNip: '5265877636', invoiceNumber: 'FV/PANEL/BAD' }));
    await waitFor(async () => (await system.invoice(escalated.body.id)).state === 'ESCALATED', { timeoutMs: 120_000, what: 'invoice ESCALATED by the sender' });
    await waitFor(async () => (await system.invoice(invalid.body.id)).state === 'INVALID', { timeoutMs: 60_000, what: 'invalid invoice INVALID' });
    // (answered 204 without a body, so not through simulatorAdmin, which reads JSON)
    const reset = await fetch(`${system.simulator.origin}/admin/faults/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1 }) });
    expect(reset.ok).toBe(true);

    const page = await browser!.newPage();
    await page.goto(panelUrl);
    await page.getByLabel('Użytkownik').fill('olek');
    await page.getByLabel('Hasło').fill('wrong password!');
    await page.getByRole('button', { name: 'Zaloguj' }).click();
    await page.getByRole('alert').waitFor();
    await shot(page, 'login');
    await page.getByLabel('Hasło').fill(PASSWORD);
    await page.getByRole('button', { name: 'Zaloguj' }).click();
    await page.getByTestId('dashboard').waitFor();
    expect(await page.getByTestId('count-ESCALATED').textContent()).toBe('1');
    // The three failed sends count against the hour: "left this minute/limit · left this hour/limit".
    const [, hourLeft, hourLimit] = /^\d+\/\d+ · (\d+)\/(\d+)$/.exec((await page.getByTestId(`headroom-${NIP}`).textContent()) ?? '') ?? [];
    expect(Number(hourLimit) - Number(hourLeft)).toBeGreaterThanOrEqual(3);
    await shot(page, 'dashboard');

    // The list, filtered to escalated invoices (Polish label of ESCALATED from libs/invoice-domain).
    await page.goto(`${panelUrl}/#/invoices`);
    await page.getByLabel('Stan').selectOption('ESCALATED');
    await page.getByRole('button', { name: 'Filtruj' }).click();
    await waitFor(async () => (await page.getByTestId('invoice-row').count()) === 1, { timeoutMs: 10_000, what: 'one escalated row' });
    await shot(page, 'list');
    await page.getByRole('link', { name: 'FV-PANEL-1' }).click();
    await page.getByTestId('invoice-detail').waitFor();
    expect(await page.getByText('eskalowana (wymaga interwencji)').first().isVisible()).toBe(true);
    // The error as the sender recorded it: the attempts with KSeF's 503, and the escalation code in the history.
    expect(await page.getByTestId('attempts').textContent()).toContain('503');
    expect(await page.getByTestId('history').textContent()).toContain('ATTEMPTS_EXHAUSTED');
    await shot(page, 'detail-escalated');

    await page.getByLabel('Powód (do dziennika)').fill('KSeF answered 503 for an hour; it is back');
    await page.getByRole('button', { name: 'Ponów teraz' }).click();
    // The BFF makes three calls (sender, intake, sender); a loaded machine can take a while.
    await page.getByRole('status').waitFor({ timeout: 90_000 });
    expect(await page.getByRole('status').textContent()).toBe('Wykonano');
    await waitFor(
      async () => {
        await page.reload();
        await page.getByTestId('invoice-detail').waitFor();
        return ((await page.getByTestId('ksef-number').textContent()) ?? '').length > 0 && (await page.getByText('przyjęta').count()) > 0;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'ACCEPTED with a KSeF number in the panel' },
    );
    expect(await page.getByTestId('audit').textContent()).toContain('retry');
    await page.getByTestId('no-problems').waitFor();
    await shot(page, 'detail-accepted');

    const accepted = await system.invoice(escalated.body.id);
    expect(accepted.state).toBe('ACCEPTED');
    expect(accepted.history.some((h) => h.from === 'ESCALATED' && h.to === 'QUEUED' && h.actor === 'panel:olek')).toBe(true);
    const audit = (await system.query(`SELECT username, action, outcome, reason FROM panel.audit_log WHERE invoice_id = $1`, [escalated.body.id])) as Array<Record<string, string>>;
    expect(audit).toEqual([{ username: 'olek', action: 'retry', outcome: 'done', reason: 'KSeF answered 503 for an hour; it is back' }]);

    // The validation view of the invalid invoice, in English this time.
    await page.goto(`${panelUrl}/#/invoices/${invalid.body.id}`);
    await page.getByTestId('validation').waitFor();
    await page.getByTestId('lang-switch').click();
    expect(await page.getByTestId('validation').textContent()).toContain('NIP');
    await shot(page, 'validation');
    await page.close();
  }, 400_000);
});
