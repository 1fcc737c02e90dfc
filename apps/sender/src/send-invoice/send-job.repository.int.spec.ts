import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource } from '@ksef-bridge/service-kit';
import { createTestDatabase, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import { TokenCipher } from '../contexts/token-cipher';
import { LeaseLostError, SendJobRepository } from './send-job.repository';

// The job table's guarantees on a real PostgreSQL: claims skip locked and leased rows, a claim that lost its lease
// writes nothing, the state machine and the append-only attempt record are enforced by the database itself.
describe('send jobs in PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const jobs = new SendJobRepository(platform.schema);
  const nip = '5265877635';
  const enqueue = (invoiceId = randomUUID()) =>
    withTransaction(ds, (m) => jobs.enqueue(m, { invoiceId, tenantId: 't', erpDocumentId: invoiceId, contextNip: nip, form: 'FA(3)', documentSha256: 'a'.repeat(64), documentSize: 10 })).then(() => invoiceId);

  beforeAll(async () => {
    db = await createTestDatabase('sender_jobs');
    const c = db.config;
    ds = await platformDataSource({ ...platform, config: { ...config, PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGPASSWORD: c.password, PGDATABASE: c.database, DB_POOL_SIZE: 4 } }).initialize();
    await runMigrations(ds, platform.schema);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => ds.query(`UPDATE sender.send_jobs SET state = 'SENDING' WHERE state = 'QUEUED'`));

  it('an invoice gets one job however often it is enqueued, with KSeF\'s Base64 hash of the claim check', async () => {
    const id = await enqueue();
    expect(await withTransaction(ds, (m) => jobs.enqueue(m, { invoiceId: id, tenantId: 't', erpDocumentId: id, contextNip: nip, form: 'FA(3)', documentSha256: 'b'.repeat(64), documentSize: 10 }))).toBe(false);
    const [row] = await ds.query(`SELECT state, invoice_hash FROM sender.send_jobs WHERE invoice_id = $1`, [id]);
    expect(row).toEqual({ state: 'QUEUED', invoice_hash: Buffer.from('a'.repeat(64), 'hex').toString('base64') });
  });

  it('concurrent claims never hand out the same job, and a leased job is not claimed again', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => enqueue()));
    const [a, b] = await Promise.all([withTransaction(ds, (m) => jobs.claimDue(m, nip, 4, 60_000)), withTransaction(ds, (m) => jobs.claimDue(m, nip, 4, 60_000))]);
    const claimed = [...a, ...b].map((j) => j.invoiceId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await withTransaction(ds, (m) => jobs.claimDue(m, nip, 10, 60_000))).toEqual([]);
  });

  it('a claim whose lease ran out and was taken over writes nothing', async () => {
    const id = await enqueue();
    const [stale] = await withTransaction(ds, (m) => jobs.claimDue(m, nip, 10, 1));
    expect(stale.invoiceId).toBe(id);
    await new Promise((r) => setTimeout(r, 20));
    const [fresh] = await withTransaction(ds, (m) => jobs.claimDue(m, nip, 10, 60_000));
    expect(fresh.invoiceId).toBe(id);
    expect(fresh.claimToken).not.toBe(stale.claimToken);

    expect(await withTransaction(ds, (m) => jobs.renewLease(m, stale, 60_000))).toBe(false);
    await expect(withTransaction(ds, (m) => jobs.finish(m, stale, 'SENT', { countAttempt: true, sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1' }))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(withTransaction(ds, (m) => jobs.requeue(m, stale, { delayMs: 0, countAttempt: true, needsReconcile: false }))).rejects.toBeInstanceOf(LeaseLostError);
    const [row] = await ds.query(`SELECT state, attempts, session_reference_number FROM sender.send_jobs WHERE invoice_id = $1`, [id]);
    expect(row).toEqual({ state: 'SENDING', attempts: 0, session_reference_number: null });

    await withTransaction(ds, (m) => jobs.finish(m, fresh, 'SENT', { countAttempt: true, sessionReferenceNumber: 'SO-1', invoiceReferenceNumber: 'EE-1' }));
    const [done] = await ds.query(`SELECT state, attempts FROM sender.send_jobs WHERE invoice_id = $1`, [id]);
    expect(done).toEqual({ state: 'SENT', attempts: 1 });
  });

  it('the database refuses illegal transitions and changes to recorded attempts', async () => {
    const id = await enqueue();
    await expect(ds.query(`UPDATE sender.send_jobs SET state = 'SENT' WHERE invoice_id = $1`, [id])).rejects.toThrow(/illegal send job transition QUEUED -> SENT/);
    const [claim] = await withTransaction(ds, (m) => jobs.claimDue(m, nip, 10, 60_000));
    await withTransaction(ds, (m) => jobs.recordAttempt(m, { invoiceId: claim.invoiceId, attempt: 1, counted: true, startedAt: new Date(), outcome: 'transport', httpStatus: 503, errorBody: { status: { code: 503 } } }));
    await expect(ds.query(`UPDATE sender.send_attempts SET outcome = 'submitted' WHERE invoice_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM sender.send_attempts WHERE invoice_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`INSERT INTO sender.send_jobs (invoice_id, tenant_id, erp_document_id, context_nip, form, document_sha256, document_size, state) VALUES ($1, 't', 'x', $2, 'FA(3)', $3, 1, 'SENT')`, [randomUUID(), nip, 'c'.repeat(64)])).rejects.toThrow(/starts as QUEUED/);
  });

  it('a context lease that ran out and was taken over cannot be renewed by its old owner', async () => {
    const contexts = new KsefContextRepository(platform.schema);
    await withTransaction(ds, (m) => contexts.upsert(m, new TokenCipher(Buffer.alloc(32, 7)), { nip, tenantId: 't', token: 'a-ksef-token' }));
    await enqueue();
    const [leasedByA] = await withTransaction(ds, (m) => contexts.leaseDue(m, jobs.jobs, 'sender-a', 50, 8));
    expect(leasedByA.nip).toBe(nip);
    expect(await withTransaction(ds, (m) => contexts.renewLease(m, nip, 'sender-a', 50))).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    // A's round outlived its lease: B takes the context; from now on only B may send for it.
    expect((await withTransaction(ds, (m) => contexts.leaseDue(m, jobs.jobs, 'sender-b', 60_000, 8))).map((c) => c.nip)).toEqual([nip]);
    expect(await withTransaction(ds, (m) => contexts.renewLease(m, nip, 'sender-a', 60_000))).toBe(false);
    expect(await withTransaction(ds, (m) => contexts.renewLease(m, nip, 'sender-b', 60_000))).toBe(true);
  });
});
