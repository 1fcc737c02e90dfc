import { randomUUID } from 'node:crypto';
import { randomNip, startSender, type SenderHarness } from '../test/sender-harness';

describe('sender internal panel API (real PostgreSQL)', () => {
  let sender: SenderHarness;
  let url: string;
  // Jobs of a context that is not registered: the scheduler leaves them alone, so their states stay as set here.
  const jobNip = randomNip();
  const registeredNip = randomNip();
  const escalated = randomUUID();
  const rejected = randomUUID();
  const other = randomUUID();
  const counted = randomUUID();

  const call = async (method: string, path: string, body?: unknown, token = sender.documents.token) => {
    const res = await fetch(`${url}/internal/v1/panel${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const job = async (id: string, tenant: string, final: 'ESCALATED' | 'REJECTED', nip = jobNip) => {
    const q = (sql: string, params: unknown[]) => sender.dataSource.query(sql, params);
    await q(`INSERT INTO sender.send_jobs (invoice_id, tenant_id, erp_document_id, context_nip, form, document_sha256, document_size, state) VALUES ($1, $2, $3, $4, 'FA(3)', $5, 100, 'QUEUED')`, [id, tenant, `ERP-${id.slice(0, 4)}`, nip, 'a'.repeat(64)]);
    await q(`UPDATE sender.send_jobs SET state = 'SENDING' WHERE invoice_id = $1`, [id]);
    await q(
      `INSERT INTO sender.send_attempts (invoice_id, attempt, counted, started_at, outcome, http_status, error_code, error_message, error_body) VALUES ($1, 1, true, now(), $2, $3, $4, $5, $6)`,
      [id, final === 'REJECTED' ? 'rejected' : 'transport', final === 'REJECTED' ? 400 : 503, final === 'REJECTED' ? 'KSEF_21405' : 'KSEF_UNAVAILABLE', 'KSeF said no', JSON.stringify({ exception: { exceptionDetailList: [{ exceptionCode: 21405, exceptionDescription: 'Błąd walidacji danych wejściowych.' }] } })],
    );
    await q(`UPDATE sender.send_jobs SET state = $2, attempts = 8 WHERE invoice_id = $1`, [id, final]);
  };

  beforeAll(async () => {
    sender = await startSender({ ksefBaseUrl: 'http://127.0.0.1:9/v2' });
    url = sender.service.url;
    await sender.registerContext(registeredNip, 'acme', 'not-a-real-ksef-token');
    await job(escalated, 'acme', 'ESCALATED');
    await job(rejected, 'acme', 'REJECTED');
    await job(other, 'globex', 'ESCALATED');
    // Two sends KSeF counted for the registered context (a look-up does not count); escalated, so nobody sends it again.
    await job(counted, 'acme', 'ESCALATED', registeredNip);
    await sender.dataSource.query(`INSERT INTO sender.send_attempts (invoice_id, attempt, counted, started_at, outcome) VALUES ($1, 2, true, now(), 'not-found'), ($1, 2, true, now() - interval '10 minutes', 'ambiguous')`, [counted]);
  }, 120_000);

  afterAll(async () => {
    await sender?.close();
  });

  it('refuses callers without the internal token', async () => {
    expect((await call('GET', '/contexts', undefined, 'x'.repeat(20))).status).toBe(401);
  });

  it('shows a job with every attempt and KSeF’s full error body, within the tenant only', async () => {
    const res = await call('GET', `/invoices/${rejected}/send-job?tenant=acme`);
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ state: 'REJECTED', tenantId: 'acme', attempts: 8 });
    expect(res.body.attempts[0]).toMatchObject({ outcome: 'rejected', httpStatus: 400, errorCode: 'KSEF_21405' });
    expect(res.body.attempts[0].errorBody.exception.exceptionDetailList[0].exceptionCode).toBe(21405);
    expect((await call('GET', `/invoices/${other}/send-job?tenant=acme`)).status).toBe(404);
    expect((await call('GET', `/invoices/${other}/send-job`)).status).toBe(200);
  });

  it('lists the tenant’s contexts with their backlog and the circuit breaker', async () => {
    const res = await call('GET', '/contexts?tenant=acme');
    expect(res.body.breaker).toEqual({ state: 'closed', remainingOpenMs: 0 });
    expect(res.body.contexts).toEqual([expect.objectContaining({ nip: registeredNip, tenantId: 'acme', enabled: true, waiting: 0, escalated: 1, sendsLastMinute: 1, sendsLastHour: 2 })]);
    // The harness runs the TE limits; the limiter of this instance never sent for the context, so nothing holds it back.
    const { limits, nextSendInMs, leftThisMinute, leftThisHour } = res.body.contexts[0].rateHeadroom;
    expect(nextSendInMs).toBe(0);
    expect([leftThisMinute, leftThisHour]).toEqual([limits.perMinute - 1, limits.perHour - 2]);
    expect((await call('GET', '/contexts?tenant=globex')).body.contexts).toEqual([]);
  });

  it('re-queues an escalated job once, with a fresh attempt budget; refuses a rejected one and another tenant’s', async () => {
    const who = { tenant: 'acme', user: 'olek', reason: 'KSeF is back' };
    const foreign = await call('POST', `/invoices/${other}/requeue`, who);
    expect(foreign).toEqual({ status: 404, body: expect.objectContaining({ code: 'SEND_JOB_NOT_FOUND' }) });
    const first = await call('POST', `/invoices/${escalated}/requeue`, who);
    expect(first.body).toEqual({ invoiceId: escalated, state: 'QUEUED', changed: true });
    const again = await call('POST', `/invoices/${escalated}/requeue`, who);
    expect(again.body).toEqual({ invoiceId: escalated, state: 'QUEUED', changed: false });
    const [row] = await sender.dataSource.query(`SELECT state, attempts, next_attempt_at <= now() AS due FROM sender.send_jobs WHERE invoice_id = $1`, [escalated]);
    expect(row).toEqual({ state: 'QUEUED', attempts: 0, due: true });
    const refused = await call('POST', `/invoices/${rejected}/requeue`, who);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('REQUEUE_NOT_ALLOWED');
    expect((await call('GET', `/invoices/${other}/send-job`)).body.job.state).toBe('ESCALATED');
  });
});
