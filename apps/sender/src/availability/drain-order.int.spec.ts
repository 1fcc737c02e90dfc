import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource } from '@ksef-bridge/service-kit';
import { createTestDatabase, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { SendJobRepository } from '../send-invoice/send-job.repository';

// After an outage the backlog drains oldest deadline first: a claim (interactive or a batch package) takes the due
// invoices with the earliest legal send deadline first, then by age, also when the oldest was pushed back by a retry
// backoff before the circuit opened.
describe('drain order after an outage', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const jobs = new SendJobRepository(platform.schema);
  const nip = '5265877635';

  beforeAll(async () => {
    db = await createTestDatabase('sender_drain');
    const c = db.config;
    ds = await platformDataSource({ ...platform, config: { ...config, PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGPASSWORD: c.password, PGDATABASE: c.database, DB_POOL_SIZE: 2 } }).initialize();
    await runMigrations(ds, platform.schema);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('claims due jobs by age, whatever their next attempt time', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      await withTransaction(ds, (m) => jobs.enqueue(m, { invoiceId: id, tenantId: 't', erpDocumentId: id, contextNip: nip, form: 'FA(3)', documentSha256: 'a'.repeat(64), documentSize: 10 }));
      // Created i minutes ago (ids[4] is the oldest)…
      await ds.query(`UPDATE sender.send_jobs SET created_at = now() - $2 * interval '1 minute' WHERE invoice_id = $1`, [id, i]);
    }
    // …but the oldest two failed before the outage and their backoff makes them due LATER than the younger ones.
    await ds.query(`UPDATE sender.send_jobs SET next_attempt_at = now() - interval '1 second' WHERE invoice_id = ANY($1)`, [[ids[4], ids[3]]]);
    await ds.query(`UPDATE sender.send_jobs SET next_attempt_at = now() - interval '10 minutes' WHERE invoice_id = ANY($1)`, [[ids[0], ids[1], ids[2]]]);
    const first = await withTransaction(ds, (m) => jobs.claimDue(m, nip, 3, 60_000));
    expect(first.map((j) => j.invoiceId)).toEqual([ids[4], ids[3], ids[2]]);
    const rest = await withTransaction(ds, (m) => jobs.claimDue(m, nip, 3, 60_000));
    expect(rest.map((j) => j.invoiceId)).toEqual([ids[1], ids[0]]);
  });

  // Issue #7: "oldest deadline first". Offline invoices carry a legal deadline; it beats age, and jobs without one
  // (online, pending, total failure) follow by age.
  it('claims the earliest send deadline first, then offline invoices with a pending deadline, then online ones, each by age', async () => {
    const other = '7010001454';
    const enqueue = async (minutesAgo: number, offline?: { mode: 'offline24' | 'unavailability' | 'total-failure'; sendDeadline: Date | null }) => {
      const id = randomUUID();
      await withTransaction(ds, (m) =>
        jobs.enqueue(m, {
          invoiceId: id, tenantId: 't', erpDocumentId: id, contextNip: other, form: 'FA(3)', documentSha256: 'b'.repeat(64), documentSize: 10,
          ...(offline ? { offline: { mode: offline.mode, issueDate: '2026-01-09', sendDeadline: offline.sendDeadline, deadlineBasis: 'test' } } : {}),
        }),
      );
      await ds.query(`UPDATE sender.send_jobs SET created_at = now() - $2 * interval '1 minute', next_attempt_at = now() - interval '1 second' WHERE invoice_id = $1`, [id, minutesAgo]);
      return id;
    };
    const onlineOldest = await enqueue(60);
    const pendingOld = await enqueue(50, { mode: 'unavailability', sendDeadline: null });
    const dueLater = await enqueue(40, { mode: 'offline24', sendDeadline: new Date('2026-01-13T23:00:00Z') });
    const dueSoonYoung = await enqueue(5, { mode: 'offline24', sendDeadline: new Date('2026-01-12T23:00:00Z') });
    const dueSoonOld = await enqueue(30, { mode: 'unavailability', sendDeadline: new Date('2026-01-12T23:00:00Z') });
    const totalFailure = await enqueue(20, { mode: 'total-failure', sendDeadline: null });
    const onlineYoung = await enqueue(1);
    const first = await withTransaction(ds, (m) => jobs.claimDue(m, other, 3, 60_000));
    expect(first.map((j) => j.invoiceId)).toEqual([dueSoonOld, dueSoonYoung, dueLater]);
    expect(first.map((j) => j.sendDeadline?.toISOString())).toEqual(['2026-01-12T23:00:00.000Z', '2026-01-12T23:00:00.000Z', '2026-01-13T23:00:00.000Z']);
    const rest = await withTransaction(ds, (m) => jobs.claimDue(m, other, 10, 60_000));
    // Legally bound invoices whose deadline is not known yet still go before online ones, which have none at all.
    expect(rest.map((j) => j.invoiceId)).toEqual([pendingOld, totalFailure, onlineOldest, onlineYoung]);
    expect(rest.map((j) => j.offlineMode)).toEqual(['unavailability', 'total-failure', null, null]);
  });
});
