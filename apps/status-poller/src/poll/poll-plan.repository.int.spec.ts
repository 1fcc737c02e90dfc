import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OutboxWriter } from '@ksef-bridge/outbox';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource } from '@ksef-bridge/service-kit';
import { createTestDatabase, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/status-poller.config';
import { DEFAULT_STATUS_POLLER_TOPICS } from '../status-poller.settings';
import { OutcomeWriter } from './outcome-writer';
import { PollLeaseLostError, PollPlanRepository, type PollRow } from './poll-plan.repository';

// The poll plan's guarantees on a real PostgreSQL: claims skip locked and leased rows, a claim that lost its lease
// writes neither a state nor an event, a row left by a dead instance is taken over, the database guards the state
// machine and the stored evidence (KSeF number, UPO).
describe('poll plan in PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const plans = new PollPlanRepository(platform.schema);
  let writer: OutcomeWriter;
  const verdict = (n = '5265877635-20260101-0100001AF629-AF') => ({ ksefNumber: n, acquisitionDate: new Date('2026-01-01T10:00:01Z'), duplicate: false, upoSessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1' });
  const insert = async (invoiceId = randomUUID()) => {
    await withTransaction(ds, (m) =>
      plans.insert(m, { invoiceId, tenantId: 't', erpDocumentId: 'FV/1', contextNip: '5265877635', mode: 'online', sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1', invoiceHash: 'h', submittedAt: new Date(), firstPollDelayMs: 0 }),
    );
    return invoiceId;
  };
  const claim = (limit = 100, leaseMs = 60_000) => withTransaction(ds, (m) => plans.claimDue(m, limit, leaseMs));
  const outboxCount = async (invoiceId: string) => Number((await ds.query(`SELECT count(*) AS n FROM status_poller.outbox WHERE aggregate_id = $1`, [invoiceId]))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('status_poller_plan');
    const c = db.config;
    ds = await platformDataSource({ ...platform, config: { ...config, PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGPASSWORD: c.password, PGDATABASE: c.database, DB_POOL_SIZE: 4 } }).initialize();
    await runMigrations(ds, platform.schema);
    writer = new OutcomeWriter(ds, plans, new OutboxWriter(platform.schema), DEFAULT_STATUS_POLLER_TOPICS);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => ds.query(`UPDATE status_poller.poll_plan SET state = 'ESCALATED' WHERE state = 'WAITING'`));

  it('an invoice gets one plan however often invoice.submitted arrives', async () => {
    const id = await insert();
    expect(await withTransaction(ds, (m) => plans.insert(m, { invoiceId: id, tenantId: 't', erpDocumentId: 'X', contextNip: '5265877635', mode: 'batch', sessionReferenceNumber: 'SB-9', invoiceHash: 'x', submittedAt: new Date(), firstPollDelayMs: 0 }))).toBe(false);
    expect(await ds.query(`SELECT state, session_reference_number FROM status_poller.poll_plan WHERE invoice_id = $1`, [id])).toEqual([{ state: 'WAITING', session_reference_number: 'SO-1' }]);
  });

  it('concurrent claims never hand out the same row, and a leased row is not claimed again', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => insert()));
    const [a, b] = await Promise.all([claim(4), claim(4)]);
    const claimed = [...a, ...b].map((r) => r.invoiceId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await claim()).toEqual([]);
  });

  it('a claim whose lease ran out and was taken over writes no state, no result and no event', async () => {
    const id = await insert();
    const [stale] = await claim(10, 1);
    await new Promise((r) => setTimeout(r, 20));
    const [fresh] = await claim();
    expect(fresh.invoiceId).toBe(id);
    expect(fresh.claimToken).not.toBe(stale.claimToken);

    expect(await withTransaction(ds, (m) => plans.renewLease(m, stale, 60_000))).toBe(false);
    await expect(writer.accepted(stale, verdict(), { xml: '<UPO/>' })).rejects.toBeInstanceOf(PollLeaseLostError);
    await expect(writer.rejected(stale, { code: 430, description: 'x', details: [] })).rejects.toBeInstanceOf(PollLeaseLostError);
    await expect(writer.reschedule(stale, { delayMs: 0, countPoll: true, emitProcessing: { statusCode: 150, description: 'x' } })).rejects.toBeInstanceOf(PollLeaseLostError);
    expect(await outboxCount(id)).toBe(0);
    expect(await ds.query(`SELECT 1 FROM status_poller.accepted_invoices WHERE invoice_id = $1`, [id])).toEqual([]);

    await writer.accepted(fresh, verdict(), { xml: '<UPO/>' });
    expect(await outboxCount(id)).toBe(1);
    // The finished row is never claimed again, and the first claim stays powerless.
    await expect(writer.accepted(fresh, verdict(), { xml: '<UPO/>' })).rejects.toBeInstanceOf(PollLeaseLostError);
    expect(await outboxCount(id)).toBe(1);
  });

  it('rows left claimed by a dead instance (SIGKILL mid-poll) are taken over after their lease, once', async () => {
    const id = await insert();
    // The dead instance claimed the row and never wrote: its token stays, its lease runs out.
    await ds.query(`UPDATE status_poller.poll_plan SET claim_token = gen_random_uuid(), lease_until = now() - interval '1 second' WHERE invoice_id = $1`, [id]);
    const [taken] = await claim();
    expect(taken).toMatchObject({ invoiceId: id, state: 'WAITING', polls: 0 });
    expect(await claim()).toEqual([]);
  });

  it('the database refuses illegal transitions and changes to stored evidence', async () => {
    const id = await insert();
    const [row] = await claim();
    await writer.accepted(row as PollRow, verdict('5265877635-20260101-0100001AF630-00'), { xml: '<UPO/>' });
    await expect(ds.query(`UPDATE status_poller.poll_plan SET state = 'WAITING' WHERE invoice_id = $1`, [id])).rejects.toThrow(/illegal poll plan transition DONE -> WAITING/);
    await expect(ds.query(`UPDATE status_poller.accepted_invoices SET upo_xml = '<other/>', upo_sha256 = $2 WHERE invoice_id = $1`, [id, 'a'.repeat(64)])).rejects.toThrow(/never replaced/);
    await expect(ds.query(`UPDATE status_poller.accepted_invoices SET ksef_number = 'x' WHERE invoice_id = $1`, [id])).rejects.toThrow(/never changed/);
    await expect(ds.query(`DELETE FROM status_poller.accepted_invoices WHERE invoice_id = $1`, [id])).rejects.toThrow(/DELETE refused/);
    await expect(ds.query(`INSERT INTO status_poller.poll_plan (invoice_id, tenant_id, erp_document_id, context_nip, mode, session_reference_number, invoice_hash, state, next_poll_at, submitted_at)
      VALUES ($1, 't', 'e', '5265877635', 'batch', 'SB-1', 'h', 'DONE', now(), now())`, [randomUUID()])).rejects.toThrow(/starts as WAITING/);
    const [stored] = await ds.query(`SELECT upo_sha256 FROM status_poller.accepted_invoices WHERE invoice_id = $1`, [id]);
    expect(stored.upo_sha256).toBe(createHash('sha256').update('<UPO/>').digest('hex'));
  });
});
