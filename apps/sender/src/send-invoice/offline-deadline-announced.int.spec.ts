import { randomUUID } from 'node:crypto';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { addBusinessDays, endOfWarsawDay, sendDeadline, warsawDateOf } from '@ksef-bridge/offline-mode';
import { withTransaction } from '@ksef-bridge/persistence';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { platform } from '../config/sender.config';
import { randomNip, startSender, type SenderHarness } from '../test/sender-harness';
import { SendJobRepository } from './send-job.repository';

// Announced KSeF failures move stored offline deadlines (issue #7): the BUILT simulator's Latarnia feed (admin API),
// the sender harness with real Kafka and PostgreSQL. An offline24 job is queued; KSeF announces a failure (the
// stored deadline becomes pending) and then its end (7 business days after the end); maintenance moves nothing, and an
// invoice already sent keeps what it had. The offline gauge follows the stored deadlines.
jest.setTimeout(180_000);

interface JobRow {
  state: string;
  send_deadline: Date | null;
  send_deadline_basis: string | null;
}

describe('announced failures and stored offline deadlines', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;
  const tenant = `tenant-announced-${randomUUID().slice(0, 6)}`;
  const today = warsawDateOf(new Date());

  const admin = async (path: string, body?: unknown, method = 'POST') => {
    const res = await fetch(`${sim.origin}/admin/${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { id: string; eventId: number; token?: string });
  };
  const job = async (id: string) => ((await sender.dataSource.query(`SELECT state, send_deadline, send_deadline_basis FROM sender.send_jobs WHERE invoice_id = $1`, [id])) as JobRow[])[0];
  const publish = async (nip: string) => {
    const invoiceId = randomUUID();
    const invoiceNumber = `OFF/${invoiceId.slice(0, 8)}`;
    await sender.publishValidated({ invoiceId, tenant, nip, invoiceNumber, xml: buildSampleInvoice({ sellerNip: nip, invoiceNumber }), offline: { mode: 'offline24' }, issueDate: today });
    return invoiceId;
  };
  const announced = async () => ((await (await fetch(`${sender.service.url}/v1/ksef/availability`)).json()) as { announced?: { status: string } | null }).announced?.status;
  const gauge = async (state: string) => {
    const text = await (await fetch(`${sender.service.url}/metrics`)).text();
    const m = new RegExp(`^ksef_sender_offline_invoices\\{[^}]*tenant="${tenant}"[^}]*deadline_state="${state}"[^}]*\\} (\\S+)$`, 'm').exec(text)
      ?? new RegExp(`^ksef_sender_offline_invoices\\{[^}]*deadline_state="${state}"[^}]*tenant="${tenant}"[^}]*\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await admin('latarnia/messages', undefined, 'DELETE');
    sender = await startSender({
      ksefBaseUrl: sim.apiBaseUrl,
      availability: { probeIntervalMs: 200, probeTimeoutMs: 2_000, tickMs: 100, degradedAfterMs: 400, confirmMs: 1_500, recoverMs: 800, latarniaUrl: `${sim.origin}/latarnia` },
    });
  });

  afterAll(async () => {
    await sender?.close();
    if (sim) await admin('latarnia/messages', undefined, 'DELETE').catch(() => undefined);
    await sim?.stop();
  });

  it('a failure announced while an offline24 invoice waits makes its deadline pending, and its end moves it to 7 business days after', async () => {
    const base = sendDeadline({ mode: 'offline24', issueDate: today });
    if (base.kind !== 'due') throw new Error('offline24 is always due');

    // One invoice is sent before anything is announced (its context is registered); the other waits (no context).
    const sentNip = randomNip();
    await sender.registerContext(sentNip, tenant, (await admin('ksef-tokens', { contextIdentifier: { type: 'Nip', value: sentNip } }))!.token as string);
    const sentId = await publish(sentNip);
    const sent = await waitFor(async () => { const j = await job(sentId); return j?.state === 'SENT' ? j : undefined; }, { timeoutMs: 60_000, what: 'offline invoice sent' });
    expect(sent.send_deadline?.toISOString()).toBe(base.dueBy.toISOString());

    const waitingId = await publish(randomNip());
    const queued = await waitFor(async () => { const j = await job(waitingId); return j?.state === 'QUEUED' ? j : undefined; }, { timeoutMs: 30_000, what: 'offline job queued' });
    expect(queued).toMatchObject({ send_deadline: base.dueBy, send_deadline_basis: `next business day after the issue date ${today}` });

    // Maintenance is not a failure: announced and read, it moves nothing.
    await admin('latarnia/messages', { category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Prace serwisowe', text: 'Przerwa.', start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() });
    await waitFor(async () => ((await announced()) === 'MAINTENANCE' ? true : undefined), { timeoutMs: 15_000, what: 'maintenance read' });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a few scheduler rounds
    expect(await job(waitingId)).toMatchObject({ send_deadline: base.dueBy });

    // The failure began five minutes ago, before the deadline: pending while it lasts.
    const start = new Date(Date.now() - 5 * 60_000);
    const failure = (await admin('latarnia/messages', { category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', text: 'Trwa awaria systemu.', start: start.toISOString() }))!;
    const pending = await waitFor(async () => { const j = await job(waitingId); return j && j.send_deadline === null ? j : undefined; }, { timeoutMs: 15_000, what: 'deadline pending' });
    expect(pending.send_deadline_basis).toContain(`an announced failure since ${start.toISOString()} is still going on`);
    expect(pending.send_deadline_basis).toContain('failure announced by KSeF on Latarnia');
    await waitFor(async () => ((await gauge('pending')) === 1 ? true : undefined), { timeoutMs: 5_000, what: 'gauge: pending' });
    expect(await gauge('on-time')).toBe(0);

    // KSeF publishes the end: 7 business days after the Warsaw day it ended.
    const end = new Date();
    await admin(`latarnia/messages/${failure.id}/end`, { end: end.toISOString() });
    const moved = await waitFor(async () => { const j = await job(waitingId); return j?.send_deadline ? j : undefined; }, { timeoutMs: 15_000, what: 'deadline moved' });
    const expected = endOfWarsawDay(addBusinessDays(warsawDateOf(end), 7));
    expect(moved.send_deadline?.toISOString()).toBe(expected.toISOString());
    const lib = sendDeadline({ mode: 'offline24', issueDate: today, failures: [{ start, end }] });
    expect(lib.kind === 'due' && lib.dueBy.toISOString()).toBe(expected.toISOString());
    expect(moved.send_deadline_basis).toBe(`7 business days after the failure ended on ${warsawDateOf(end)} (failure announced by KSeF on Latarnia; without it: next business day after the issue date ${today})`);
    await waitFor(async () => ((await gauge('on-time')) === 1 ? true : undefined), { timeoutMs: 5_000, what: 'gauge: on-time' });
    expect(await gauge('pending')).toBe(0);

    // Sent before the failure: its stored deadline (and basis) stay as they were.
    expect(await job(sentId)).toEqual(sent);
  });

  it('the re-evaluation pages through unsent offline jobs (QUEUED, SENDING, ESCALATED) in bounded steps; SENT ones keep their deadline', async () => {
    const jobsRepo = new SendJobRepository(platform.schema);
    const base = sendDeadline({ mode: 'offline24', issueDate: today });
    if (base.kind !== 'due') throw new Error('offline24 is always due');
    const nip = randomNip();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const invoiceId = randomUUID();
      ids.push(invoiceId);
      await withTransaction(sender.dataSource, (m) =>
        jobsRepo.enqueue(m, { invoiceId, tenantId: tenant, erpDocumentId: invoiceId, contextNip: nip, form: 'FA(3)', documentSha256: 'c'.repeat(64), documentSize: 10, offline: { mode: 'offline24', issueDate: today, sendDeadline: base.dueBy, deadlineBasis: 'test' } }),
      );
    }
    const move = async (id: string, ...states: string[]) => {
      for (const state of states) await sender.dataSource.query(`UPDATE sender.send_jobs SET state = $2 WHERE invoice_id = $1`, [id, state]);
    };
    await move(ids[0] as string, 'SENDING');
    await move(ids[1] as string, 'SENDING', 'ESCALATED');
    await move(ids[2] as string, 'SENDING', 'SENT');
    const unsentBefore = Number((await sender.dataSource.query(`SELECT count(*) AS n FROM sender.send_jobs WHERE offline_mode IN ('offline24', 'unavailability', 'failure') AND state IN ('QUEUED', 'SENDING', 'ESCALATED')`))[0].n);

    // A failure that began now and ended two days from now (only this call knows it: the live feed is unchanged).
    const failure = { start: new Date(), end: new Date(Date.now() + 2 * 86_400_000) };
    const expected = endOfWarsawDay(addBusinessDays(warsawDateOf(failure.end), 7));
    const steps: Array<{ examined: number; moved: number }> = [];
    let afterId: string | undefined;
    for (;;) {
      const step = await withTransaction(sender.dataSource, (m) => jobsRepo.offline.reevaluate(m, [failure], afterId, 2));
      steps.push({ examined: step.examined, moved: step.moved });
      if (step.examined < 2) break;
      afterId = step.lastId;
    }
    expect(steps.every((s) => s.examined <= 2)).toBe(true);
    expect(steps.reduce((n, s) => n + s.examined, 0)).toBe(unsentBefore);
    const rows = (await sender.dataSource.query(`SELECT invoice_id, state, send_deadline FROM sender.send_jobs WHERE invoice_id = ANY($1::uuid[])`, [ids])) as Array<{ invoice_id: string; state: string; send_deadline: Date }>;
    const byId = new Map(rows.map((r) => [r.invoice_id, r]));
    for (const id of [ids[0], ids[1], ids[3], ids[4]]) expect(byId.get(id as string)?.send_deadline.toISOString()).toBe(expected.toISOString());
    expect(byId.get(ids[2] as string)).toMatchObject({ state: 'SENT', send_deadline: base.dueBy });
    // Evaluated again with the same list: nothing moves (same instant), and never earlier with none.
    expect((await withTransaction(sender.dataSource, (m) => jobsRepo.offline.reevaluate(m, [failure], undefined, 100))).moved).toBe(0);
    expect((await withTransaction(sender.dataSource, (m) => jobsRepo.offline.reevaluate(m, [], undefined, 100))).moved).toBe(0);
  });
});
