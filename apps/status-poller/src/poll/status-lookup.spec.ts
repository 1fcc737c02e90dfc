import type { KsefClient, SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { createLogger } from '@ksef-bridge/observability';
import type { PollRow } from './poll-plan.repository';
import { StatusLookup, type CallBudget } from './status-lookup';

// The read strategy only: which KSeF calls are made for a session's due rows. A recording stand-in client answers
// from a fixed session list (the KSeF behaviour itself is covered against the simulator in status-poller.int.spec.ts).
const row = (n: number, o: Partial<PollRow> = {}): PollRow => ({
  invoiceId: `00000000-0000-4000-8000-00000000000${n}`,
  tenantId: 't',
  erpDocumentId: `FV/${n}`,
  contextNip: '5265877635',
  mode: 'online',
  sessionReferenceNumber: 'SO-1',
  invoiceReferenceNumber: `EE-${n}`,
  invoiceHash: `hash-${n}`,
  state: 'WAITING',
  polls: 0,
  processingEmitted: false,
  ksefNumber: null,
  acquisitionDate: null,
  duplicate: false,
  upoSessionReferenceNumber: null,
  acceptedAt: null,
  watchUntil: null,
  submittedAt: new Date(),
  traceparent: null,
  claimToken: 'c',
  ...o,
});
const listed = (n: number, code = 150): SessionInvoiceStatusResponse => ({ ordinalNumber: n, referenceNumber: `EE-${n}`, invoiceHash: `hash-${n}`, invoicingDate: '2026-01-01T10:00:00Z', status: { code, description: `s${code}` } });

function setup(o: { invoices?: SessionInvoiceStatusResponse[]; sessionCode?: number; waits?: Partial<Record<'invoiceStatus' | 'sessionInvoiceList' | 'sessionMisc', number>> } = {}) {
  const calls: string[] = [];
  const client = {
    async listSessionInvoices() {
      calls.push('list');
      return { invoices: o.invoices ?? [] };
    },
    async getInvoiceStatus(_s: string, ref: string) {
      calls.push(`status ${ref}`);
      return (o.invoices ?? []).find((i) => i.referenceNumber === ref) ?? listed(Number(ref.slice(3)));
    },
    async getSessionStatus() {
      calls.push('session');
      return { status: { code: o.sessionCode ?? 150, description: 'session' } };
    },
  } as unknown as KsefClient;
  const budget: CallBudget = { waitMs: (_nip, group) => o.waits?.[group] ?? 0 };
  let saved = 0;
  const lookup = new StatusLookup(budget, {} as KsefXmlValidator, { call: () => undefined, saved: (n) => void (saved += n) }, createLogger({ serviceName: 't', level: 'silent' }), 2);
  return { lookup, client, calls, saved: () => saved };
}

describe('StatusLookup read strategy', () => {
  it('a lone row is read with one per-invoice call', async () => {
    const { lookup, client, calls } = setup();
    const result = await lookup.verdicts(client, 'SO-1', [row(1)]);
    expect(calls).toEqual(['status EE-1']);
    expect(result.get(row(1).invoiceId)?.observation).toMatchObject({ kind: 'verdict', verdict: { kind: 'pending', code: 150 } });
  });

  it('rows sharing a session are answered by one listing, which saves the per-invoice calls', async () => {
    const { lookup, client, calls, saved } = setup({ invoices: [listed(1), listed(2, 200), listed(3)] });
    const result = await lookup.verdicts(client, 'SO-1', [row(1), row(2), row(3)]);
    expect(calls).toEqual(['list']);
    expect(saved()).toBe(2);
    expect(result.size).toBe(3);
  });

  it('goes per invoice when the listing budget is spent and the status budget is not', async () => {
    const { lookup, client, calls } = setup({ waits: { sessionInvoiceList: 30_000 } });
    await lookup.verdicts(client, 'SO-1', [row(1), row(2)]);
    expect(calls).toEqual(['status EE-1', 'status EE-2']);
  });

  it('makes no call when neither budget allows one soon: the rows come back after the wait', async () => {
    const { lookup, client, calls } = setup({ waits: { sessionInvoiceList: 20_000, invoiceStatus: 5_000 } });
    const result = await lookup.verdicts(client, 'SO-1', [row(1)]);
    expect(calls).toEqual([]);
    expect(result.get(row(1).invoiceId)?.observation).toEqual({ kind: 'rate-limited', retryAfterMs: 5_000 });
  });

  it('a batch row is found by hash; one missing from a session past processing is session-final after a second listing', async () => {
    const { lookup, client, calls } = setup({ invoices: [listed(1, 200)], sessionCode: 200 });
    const found = row(1, { mode: 'batch', invoiceReferenceNumber: null, sessionReferenceNumber: 'SB-1' });
    const missing = row(2, { mode: 'batch', invoiceReferenceNumber: null, sessionReferenceNumber: 'SB-1' });
    const result = await lookup.verdicts(client, 'SB-1', [found, missing]);
    expect(calls).toEqual(['list', 'session', 'list']);
    expect(result.get(found.invoiceId)).toMatchObject({ invoiceReferenceNumber: 'EE-1' });
    expect(result.get(missing.invoiceId)?.observation).toEqual({ kind: 'session-final', code: 200, description: 'session' });
  });

  it('a UPO read without budget is not attempted: the row comes back after the wait', async () => {
    const { lookup, client, calls } = setup({ waits: { sessionMisc: 40_000 } });
    expect(await lookup.upo(client, row(1), 'SO-1', 'K')).toEqual({ observation: { kind: 'rate-limited', retryAfterMs: 40_000 } });
    expect(calls).toEqual([]);
  });

  it('a row missing while the session still processes is just not found', async () => {
    const { lookup, client, calls } = setup({ invoices: [], sessionCode: 150 });
    const result = await lookup.verdicts(client, 'SB-1', [row(1, { mode: 'batch', invoiceReferenceNumber: null })]);
    expect(calls).toEqual(['list', 'session']);
    expect(result.get(row(1).invoiceId)?.observation).toEqual({ kind: 'not-found' });
  });
});
