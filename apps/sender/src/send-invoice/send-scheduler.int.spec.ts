import { randomUUID } from 'node:crypto';
import { KsefClient } from '@ksef-bridge/ksef-client';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { startSimulator, waitFor, type SimulatorProcess } from '@ksef-bridge/testing';
import { randomNip, startSender, type SenderHarness } from '../test/sender-harness';

// The scheduler's protections against the BUILT simulator: the circuit breaker on an outage (after two failures the
// sender stops calling KSeF, no attempts burned, until one probe finds KSeF back), and idle sessions being closed.
jest.setTimeout(180_000);

describe('sender scheduler against the simulator', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { token: string });
  };
  const attempts = async (invoiceId: string) =>
    (await sender.dataSource.query(`SELECT outcome, counted FROM sender.send_attempts WHERE invoice_id = $1 ORDER BY id`, [invoiceId])) as Array<{ outcome: string; counted: boolean }>;
  const state = async (invoiceId: string) => ((await sender.dataSource.query(`SELECT state FROM sender.send_jobs WHERE invoice_id = $1`, [invoiceId])) as Array<{ state: string }>)[0]?.state;

  beforeAll(async () => {
    sim = await startSimulator();
    // Retries every 100 ms would make many attempts in the open window below if nothing held them back.
    sender = await startSender({ ksefBaseUrl: sim.apiBaseUrl, retry: { delaysMs: [100], multiplier: 1, maxAttempts: 50 }, breaker: { failures: 2, openMs: 3_000 }, sessionIdleCloseMs: 1_500 });
  });

  afterAll(async () => {
    await sender?.close();
    await sim?.stop();
  });

  it('opens after consecutive failures, burns no attempt while open, and closes on a successful probe', async () => {
    const nip = randomNip();
    const { token } = (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!;
    await sender.registerContext(nip, 'tenant-a', token);
    await admin('/admin/faults', { type: 'outage', durationMs: 600_000 });

    const invoiceId = randomUUID();
    const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
    await sender.publishValidated({ invoiceId, tenant: 'tenant-a', nip, invoiceNumber, xml: buildSampleInvoice({ sellerNip: nip, invoiceNumber }) });
    await waitFor(async () => (await attempts(invoiceId)).length >= 2, { timeoutMs: 60_000, what: 'two failed attempts' });

    // Absence needs a window: 1.5 s of an open circuit, where 100 ms retries would otherwise add ~10 attempts.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await attempts(invoiceId)).map((a) => a.outcome)).toEqual(['transport', 'transport']);
    expect(await state(invoiceId)).toBe('QUEUED');

    await admin('/admin/faults/reset', {});
    await waitFor(async () => (await state(invoiceId)) === 'SENT', { timeoutMs: 30_000, what: 'SENT after the circuit closed' });
    expect((await attempts(invoiceId)).map((a) => [a.outcome, a.counted])).toEqual([
      ['transport', true],
      ['transport', true],
      ['submitted', true],
    ]);
  });

  it('closes a session nothing was sent into for SENDER_SESSION_IDLE_CLOSE_MS, and opens a new one when needed', async () => {
    const nip = randomNip();
    const { token } = (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!;
    await sender.registerContext(nip, 'tenant-a', token);
    const send = async () => {
      const invoiceId = randomUUID();
      const invoiceNumber = `FV/${invoiceId.slice(0, 8)}`;
      await sender.publishValidated({ invoiceId, tenant: 'tenant-a', nip, invoiceNumber, xml: buildSampleInvoice({ sellerNip: nip, invoiceNumber }) });
      await waitFor(async () => (await state(invoiceId)) === 'SENT', { timeoutMs: 30_000, what: 'SENT' });
      const [row] = (await sender.dataSource.query(`SELECT session_reference_number FROM sender.send_jobs WHERE invoice_id = $1`, [invoiceId])) as Array<{ session_reference_number: string }>;
      return row.session_reference_number;
    };
    const first = await send();
    const reader = new KsefClient({ baseUrl: sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: (await admin('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } }))!.token }, rateLimiter: false, authPollIntervalMs: 50 });
    try {
      await waitFor(async () => (await reader.getSessionStatus(first)).status.code !== 100, { timeoutMs: 20_000, what: 'idle session closed' });
    } finally {
      await reader.close();
    }
    expect(await send()).not.toBe(first);
  });
});
