import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource } from '@ksef-bridge/service-kit';
import { createTestDatabase, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { SendJobRepository } from '../send-invoice/send-job.repository';

// After an outage the backlog drains oldest first: a claim (interactive or a batch package) takes the due invoices
// by age, also when the oldest was pushed back by a retry backoff before the circuit opened.
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
});
