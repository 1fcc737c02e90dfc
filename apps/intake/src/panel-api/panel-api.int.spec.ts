import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { withTransaction } from '@ksef-bridge/persistence';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { startIntake, type IntakeHarness } from '../test/intake-harness';

const TOKEN = 'panel-int-test-internal-token';
const NIP = '5265877635';

describe('intake internal panel API (real PostgreSQL and Kafka)', () => {
  let intake: IntakeHarness;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${intake.url}/internal/v1/panel${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const submit = async (tenant: string, erpDocumentId: string) => {
    const res = await fetch(`${intake.url}/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[tenant]}`, 'idempotency-key': `k-${erpDocumentId}`, 'content-type': 'application/json' },
      body: JSON.stringify({ erpDocumentId, xml: buildSampleInvoice({ sellerNip: NIP, invoiceNumber: erpDocumentId }) }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  /** Drives an invoice as the validator and sender outcomes would, through the same lifecycle. */
  const move = (id: string, steps: Array<[InvoiceState, string | undefined, unknown?]>) =>
    withTransaction(intake.dataSource, async (manager) => {
      const repo = intake.service.app.get(InvoiceRepository);
      const lifecycle = intake.service.app.get(InvoiceLifecycle);
      for (const [to, errorCode, details] of steps) {
        const row = await repo.lockById(manager, id);
        await lifecycle.transition(manager, row!, to, { actor: 'test', errorCode, details, facts: { contextNip: NIP } });
      }
    });

  beforeAll(async () => {
    intake = await startIntake({ internalApiToken: TOKEN });
    keys['acme'] = await intake.tenant('acme');
    keys['globex'] = await intake.tenant('globex');
    ids['acmeEscalated'] = await submit('acme', 'FV-ACME-1');
    ids['acmeQueued'] = await submit('acme', 'FV-ACME-2');
    ids['acmeReceived'] = await submit('acme', 'FV-ACME-3');
    ids['globexEscalated'] = await submit('globex', 'FV-GLOBEX-1');
    await move(ids['acmeEscalated'], [['QUEUED', undefined], ['ESCALATED', 'ATTEMPTS_EXHAUSTED', { message: 'KSeF answered 503 (Usługa chwilowo niedostępna)' }]]);
    await move(ids['acmeQueued'], [['QUEUED', undefined]]);
    await move(ids['globexEscalated'], [['QUEUED', undefined], ['ESCALATED', 'KSEF_AUTH_REFUSED', { message: 'token refused' }]]);
  }, 120_000);

  afterAll(async () => {
    await intake?.close();
  });

  it('refuses callers without the internal token', async () => {
    expect((await call('GET', '/invoices', undefined, 'wrong-token-wrong-token')).status).toBe(401);
  });

  it('lists one tenant only when a tenant is given, every tenant otherwise', async () => {
    const acme = await call('GET', '/invoices?tenant=acme');
    expect(acme.status).toBe(200);
    expect(acme.body.total).toBe(3);
    expect(acme.body.items.every((i: { tenantId: string }) => i.tenantId === 'acme')).toBe(true);
    expect((await call('GET', '/invoices')).body.total).toBe(4);
    expect((await call('GET', '/invoices?tenant=nobody-here')).body.total).toBe(0);
  });

  it('filters by state, ERP id and context, and searches error details', async () => {
    const escalated = await call('GET', '/invoices?state=ESCALATED');
    expect(escalated.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids['acmeEscalated'], ids['globexEscalated']].sort());
    expect((await call('GET', '/invoices?erpDocumentId=acme-2')).body.items.map((i: { id: string }) => i.id)).toEqual([ids['acmeQueued']]);
    expect((await call('GET', `/invoices?contextNip=${NIP}&tenant=acme`)).body.total).toBe(2);
    const search = await call('GET', '/invoices?q=chwilowo');
    expect(search.body.items.map((i: { id: string }) => i.id)).toEqual([ids['acmeEscalated']]);
    expect(search.body.items[0].lastErrorCode).toBe('ATTEMPTS_EXHAUSTED');
    // LIKE wildcards are literal text, not patterns.
    expect((await call('GET', '/invoices?q=%25')).body.total).toBe(0);
    expect((await call('GET', '/invoices?state=NOPE')).status).toBe(400);
    expect((await call('GET', '/invoices?limit=1&offset=1')).body.items).toHaveLength(1);
  });

  it('shows one invoice with its history and document, never another tenant’s', async () => {
    const mine = await call('GET', `/invoices/${ids['acmeEscalated']}?tenant=acme`);
    expect(mine.status).toBe(200);
    expect(mine.body.tenantId).toBe('acme');
    expect(mine.body.history.map((h: { to: string }) => h.to)).toEqual(['RECEIVED', 'QUEUED', 'ESCALATED']);
    expect(mine.body.documentXml).toContain('<Faktura');
    expect((await call('GET', `/invoices/${ids['globexEscalated']}?tenant=acme`)).status).toBe(404);
    expect((await call('GET', `/invoices/${ids['globexEscalated']}`)).status).toBe(200);
    expect((await call('GET', '/invoices/not-a-uuid')).status).toBe(404);
  });

  it('counts states per tenant on the dashboard', async () => {
    const acme = await call('GET', '/dashboard?tenant=acme');
    expect(acme.body.counts).toMatchObject({ ESCALATED: 1, QUEUED: 1, RECEIVED: 1, ACCEPTED: 0 });
    expect(acme.body.recentProblems.map((p: { invoiceId: string }) => p.invoiceId)).toEqual([ids['acmeEscalated']]);
    expect((await call('GET', '/dashboard')).body.counts.ESCALATED).toBe(2);
  });

  it('retries an escalated invoice once through the state machine, idempotently, within its tenant only', async () => {
    const who = { tenant: 'acme', user: 'olek', reason: 'KSeF is back' };
    expect((await call('POST', `/invoices/${ids['globexEscalated']}/retry`, who)).status).toBe(404);
    const first = await call('POST', `/invoices/${ids['acmeEscalated']}/retry`, who);
    expect(first.body).toEqual({ invoiceId: ids['acmeEscalated'], state: 'QUEUED', changed: true });
    const again = await call('POST', `/invoices/${ids['acmeEscalated']}/retry`, who);
    expect(again.body).toEqual({ invoiceId: ids['acmeEscalated'], state: 'QUEUED', changed: false });
    const refused = await call('POST', `/invoices/${ids['acmeReceived']}/retry`, who);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INTERVENTION_NOT_ALLOWED');
    const detail = await call('GET', `/invoices/${ids['acmeEscalated']}`);
    expect(detail.body.history.at(-1)).toMatchObject({ from: 'ESCALATED', to: 'QUEUED', actor: 'panel:olek', details: { intervention: 'retry', by: 'olek', reason: 'KSeF is back' } });
    expect((await call('GET', `/invoices/${ids['globexEscalated']}`)).body.state).toBe('ESCALATED');
    expect((await call('POST', `/invoices/${ids['acmeEscalated']}/retry`, { user: 'olek' })).status).toBe(400);
  });

  it('re-submits a corrected document linked to the old one and cancels the escalated original', async () => {
    const xml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: 'FV-GLOBEX-1-K' });
    const res = await call('POST', `/invoices/${ids['globexEscalated']}/resubmit`, { tenant: 'globex', user: 'root', reason: 'wrong buyer', erpDocumentId: 'FV-GLOBEX-1-K', xml });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: true, oldState: 'CANCELLED' });
    const corrected = await call('GET', `/invoices/${res.body.invoiceId}?tenant=globex`);
    expect(corrected.body.metadata).toMatchObject({ correctionOf: ids['globexEscalated'], correctedBy: 'panel:root' });
    expect((await call('GET', `/invoices/${ids['globexEscalated']}`)).body.state).toBe('CANCELLED');
    // Cancelling it again changes nothing; a queued invoice is not cancelled from the panel (the sender may send it).
    expect((await call('POST', `/invoices/${ids['globexEscalated']}/cancel`, { user: 'root', reason: 'again' })).body.changed).toBe(false);
    expect((await call('POST', `/invoices/${ids['acmeQueued']}/cancel`, { user: 'root', reason: 'no' })).status).toBe(409);
  });
});
