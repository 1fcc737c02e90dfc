import { randomUUID } from 'node:crypto';
import { invoiceAccepted, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice, createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { createPollerWorld, randomNip, startPoller, type Collected, type PollerInstance, type PollerWorld } from '../test/poller-harness';
import { startTokenServer, type TokenServer } from '../test/token-server';

// A 200-invoice batch session, really sent to the BUILT simulator, confirmed by the poller (real Kafka + PostgreSQL):
// the UPO evidence comes from the session UPO, not from 200 per-invoice UPO reads.
jest.setTimeout(300_000);

const INVOICES = 200;

/** `ksef_poller_ksef_calls_total` by operation, from the poller's /metrics. */
async function callsByOperation(poller: PollerInstance): Promise<Record<string, number>> {
  const text = await poller.metrics();
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^ksef_poller_ksef_calls_total\{[^}]*operation="([^"]+)"[^}]*\} (\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

describe('status-poller: a batch session confirmed from its session UPO', () => {
  let sim: SimulatorProcess;
  let tokens: TokenServer;
  let ksef: KsefClient;
  let validator: KsefXmlValidator;
  let nip: string;

  const seedToken = async (forNip: string) => {
    const res = await fetch(`${sim.origin}/admin/ksef-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contextIdentifier: { type: 'Nip', value: forNip } }) });
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    tokens = await startTokenServer(sim.apiBaseUrl);
    nip = randomNip();
    tokens.register(nip, await seedToken(nip));
    ksef = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: await seedToken(nip) }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }), authPollIntervalMs: 50 });
    validator = await createKsefXmlValidator();
  });

  afterAll(async () => {
    validator?.close();
    await ksef?.close();
    await tokens?.close();
    await sim?.stop();
  });

  /** Sends a batch of INVOICES, lets a fresh poller confirm it; returns the poller's KSeF calls by operation. */
  async function confirmBatch(sessionUpoMinRows: number | undefined, assertUpo: (upoXml: string) => void): Promise<Record<string, number>> {
    const world: PollerWorld = await createPollerWorld();
    const poller: PollerInstance = await startPoller(world, { ksefBaseUrl: sim.apiBaseUrl, tokens, sessionUpoMinRows });
    try {
      const accepted: Collected = await world.collect(world.topics.invoiceAccepted);
      return await run(world, poller, accepted, assertUpo);
    } finally {
      await poller.close();
      await world.close();
    }
  }

  async function run(world: PollerWorld, poller: PollerInstance, accepted: Collected, assertUpo: (upoXml: string) => void): Promise<Record<string, number>> {
    const numbers = Array.from({ length: INVOICES }, () => `FVS/${randomUUID().slice(0, 8)}`);
    const files = numbers.map((n, i) => ({ fileName: `inv-${i}.xml`, content: buildSampleInvoice({ sellerNip: nip, invoiceNumber: n }) }));
    const batch = await ksef.sendBatch(files);
    const ids = files.map(() => randomUUID());
    const before = await callsByOperation(poller);
    for (const [i, file] of files.entries()) {
      await world.publish(
        { invoiceId: ids[i], erpDocumentId: numbers[i], contextNip: nip, sessionReferenceNumber: batch.referenceNumber, mode: 'batch', invoiceHash: batch.invoiceHashes[file.fileName], submittedAt: new Date().toISOString(), attempt: 1, reconciled: false },
        'tenant-a',
      );
    }
    const done = async () => Number(((await poller.dataSource.query(`SELECT count(*)::int AS n FROM status_poller.poll_plan WHERE invoice_id = ANY($1) AND state = 'DONE'`, [ids])) as { n: number }[])[0].n);
    await waitFor(async () => (await done()) === INVOICES, { timeoutMs: 180_000, what: `${INVOICES} invoices DONE` });
    await waitFor(() => ids.every((id) => accepted.of(invoiceAccepted.type, id).length > 0), { timeoutMs: 60_000, what: 'every invoice.accepted' });

    const listed = new Map<string, string>();
    for await (const inv of ksef.iterateSessionInvoices(batch.referenceNumber)) listed.set(inv.invoiceHash, inv.ksefNumber ?? '');
    for (const [i, id] of ids.entries()) {
      const events = accepted.of(invoiceAccepted.type, id);
      expect(events).toHaveLength(1);
      const body = invoiceAccepted.parse(events[0]).payload;
      const ksefNumber = listed.get(batch.invoiceHashes[files[i].fileName]);
      expect(body.ksefNumber).toBe(ksefNumber);
      expect(body.upoPending).toBeFalsy();
      expect(validator.validate('UPO-v4-3', body.upoXml!).valid).toBe(true);
      // The invoice's own document: the session's header and exactly its entry.
      expect([...body.upoXml!.matchAll(/<(?:\w+:)?NumerKSeFDokumentu>([^<]+)</g)].map((m) => m[1])).toEqual([ksefNumber]);
      expect(body.upoXml).toContain(`<NumerReferencyjnySesji>${batch.referenceNumber}</NumerReferencyjnySesji>`);
      assertUpo(body.upoXml!);
    }
    const stored = (await poller.dataSource.query(`SELECT count(*)::int AS n FROM status_poller.accepted_invoices WHERE invoice_id = ANY($1) AND upo_xml IS NOT NULL AND upo_sha256 IS NOT NULL`, [ids])) as { n: number }[];
    expect(stored[0].n).toBe(INVOICES);

    const after = await callsByOperation(poller);
    return Object.fromEntries(Object.keys(after).map((op) => [op, after[op] - (before[op] ?? 0)]));
  }

  it(`${INVOICES} invoices: every one accepted once with a schema-valid UPO naming its KSeF number, from the session UPO, in a bounded number of calls`, async () => {
    // The session UPO's excerpt keeps the page description (OpisPotwierdzenia); a per-invoice UPO has none.
    const used = await confirmBatch(undefined, (xml) => expect(xml).toContain('OpisPotwierdzenia'));
    // Printed for the record (docs/status-poller.md quotes it).
    console.log(`session-UPO path, ${INVOICES}-invoice batch: KSeF calls ${JSON.stringify(used)}`);
    expect(used.upo ?? 0).toBe(0);
    expect(used['session-upo-page']).toBeGreaterThanOrEqual(1);
    // One status + one page per read of the session UPO; the parsed UPO is cached, so a few reads at most
    // (while the session is still being processed the status call answers "not ready").
    expect((used['session-status'] ?? 0) + used['session-upo-page']).toBeLessThanOrEqual(12);
  });

  it('with the session UPO switched off (POLLER_SESSION_UPO_MIN_ROWS=0) the same batch costs one UPO call per invoice', async () => {
    const used = await confirmBatch(0, (xml) => expect(xml).not.toContain('OpisPotwierdzenia'));
    console.log(`per-invoice path, ${INVOICES}-invoice batch: KSeF calls ${JSON.stringify(used)}`);
    expect(used.upo).toBeGreaterThanOrEqual(INVOICES);
    expect(used['session-upo-page'] ?? 0).toBe(0);
  });
  /** Sends `count` invoices in an interactive session (closed and processed first when `close`), lets a fresh poller confirm them. */
  async function confirmOnline(count: number, close: boolean, assertUpo: (upoXml: string) => void): Promise<Record<string, number>> {
    const session = await ksef.openOnlineSession();
    const payloads: InvoiceSubmitted[] = [];
    for (let i = 0; i < count; i += 1) {
      const invoiceId = randomUUID();
      const prepared = session.prepareInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FVO/${invoiceId.slice(0, 8)}` }));
      const sent = await session.sendInvoice(prepared);
      payloads.push({ invoiceId, erpDocumentId: invoiceId, contextNip: nip, sessionReferenceNumber: session.referenceNumber, mode: 'online', invoiceReferenceNumber: sent.referenceNumber, invoiceHash: prepared.invoiceHash, submittedAt: new Date().toISOString(), attempt: 1, reconciled: false });
    }
    if (close) {
      await session.close();
      await ksef.waitForSessionStatus(session.referenceNumber, { done: (st) => st.status.code === 200 && (st.upo?.pages.length ?? 0) > 0 });
    }
    const world = await createPollerWorld();
    // A first poll 2 s after consumption: all submissions are in the table before the first round looks at the session
    // (rows arriving over several rounds are counted in the table, not per round).
    const poller = await startPoller(world, { ksefBaseUrl: sim.apiBaseUrl, tokens, policy: { backoff: { delaysMs: [2_000, 300, 500, 1_000], jitter: 0.1 } } });
    try {
      const accepted = await world.collect(world.topics.invoiceAccepted);
      const before = await callsByOperation(poller);
      for (const payload of payloads) await world.publish(payload, 'tenant-a');
      const ids = payloads.map((p) => p.invoiceId);
      await waitFor(() => ids.every((id) => accepted.of(invoiceAccepted.type, id).length > 0), { timeoutMs: 90_000, what: 'every invoice.accepted' });
      for (const id of ids) {
        const events = accepted.of(invoiceAccepted.type, id);
        expect(events).toHaveLength(1);
        const body = invoiceAccepted.parse(events[0]).payload;
        expect(validator.validate('UPO-v4-3', body.upoXml!).valid).toBe(true);
        expect([...body.upoXml!.matchAll(/<(?:\w+:)?NumerKSeFDokumentu>([^<]+)</g)].map((m) => m[1])).toEqual([body.ksefNumber]);
        assertUpo(body.upoXml!);
      }
      const after = await callsByOperation(poller);
      return Object.fromEntries(Object.keys(after).map((op) => [op, after[op] - (before[op] ?? 0)]));
    } finally {
      await poller.close();
      await world.close();
    }
  }

  it('an interactive session already closed, with POLLER_SESSION_UPO_MIN_ROWS (10) or more invoices: confirmed from its session UPO', async () => {
    const used = await confirmOnline(12, true, (xml) => expect(xml).toContain('OpisPotwierdzenia'));
    console.log(`closed online session, 12 invoices: KSeF calls ${JSON.stringify(used)}`);
    expect(used.upo ?? 0).toBe(0);
    expect(used['session-upo-page']).toBeGreaterThanOrEqual(1);
  });

  it('an interactive session still open: per-invoice UPOs (an open session has no session UPO)', async () => {
    const used = await confirmOnline(12, false, (xml) => expect(xml).not.toContain('OpisPotwierdzenia'));
    console.log(`open online session, 12 invoices: KSeF calls ${JSON.stringify(used)}`);
    expect(used.upo).toBe(12);
    expect(used['session-upo-page'] ?? 0).toBe(0);
  });
});
