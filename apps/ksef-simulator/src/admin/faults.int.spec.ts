import { request as httpRequest } from 'node:http';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { DocClient, FA3, SessionCrypto, sha256, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';
const SEND = 'POST /v2/sessions/online/:referenceNumber/invoices';

/** Raw request that reports how the connection ended (fetch hides resets behind generic errors). */
function rawPost(url: string, path: string, token: string, body: unknown, timeoutMs: number): Promise<{ outcome: 'response' | 'reset' | 'timeout'; status?: number }> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = httpRequest(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ outcome: 'response', status: res.statusCode }));
    });
    req.setTimeout(timeoutMs, () => {
      resolve({ outcome: 'timeout' });
      req.destroy();
    });
    req.on('error', () => resolve({ outcome: 'reset' }));
    req.end(data);
  });
}

describe('fault injection (/admin/faults)', () => {
  let sim: RunningSimulator;
  let client: DocClient;
  let crypto: SessionCrypto;
  let session: string;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    crypto = new SessionCrypto();
    session = (await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } })).body.referenceNumber;
  });
  afterEach(async () => {
    await client.call('POST', '/admin/faults/reset', { body: { seed: 7 }, token: null });
  });
  afterAll(() => sim.close());

  const addFault = (fault: Record<string, unknown>) => client.call('POST', '/admin/faults', { body: fault, token: null });
  const invoice = (n: string) => crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `${n}/${Date.now()}` }));

  it('5xx bursts: exactly `count` failures with the listed statuses, then normal service', async () => {
    await addFault({ type: 'error5xx', endpoint: SEND, count: 3, statuses: [502, 503] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.call('POST', `/v2/sessions/online/${session}/invoices`, { body: invoice('F5') })).status);
    expect(statuses.slice(0, 3).every((s) => s === 502 || s === 503)).toBe(true);
    expect(statuses[3]).toBe(202);
  });

  it('counts injected faults and received invoices on /metrics', async () => {
    await addFault({ type: 'error5xx', endpoint: SEND, count: 1 });
    expect((await client.call('POST', `/v2/sessions/online/${session}/invoices`, { body: invoice('M1') })).status).toBeGreaterThanOrEqual(500);
    expect((await client.call('POST', `/v2/sessions/online/${session}/invoices`, { body: invoice('M2') })).status).toBe(202);
    const metrics = await (await fetch(`${sim.url}/metrics`)).text();
    expect(metrics).toMatch(/ksef_sim_faults_injected_total\{[^}]*type="error5xx"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ksef_sim_invoices_received_total\{[^}]*session_type="Online"[^}]*\} [1-9]/);
  });

  it('draws are reproducible from the seed', async () => {
    const run = async () => {
      await client.call('POST', '/admin/faults/reset', { body: { seed: 42 }, token: null });
      await addFault({ type: 'error5xx', endpoint: 'GET /v2/sessions/:referenceNumber', probability: 0.5, statuses: [500] });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await client.call('GET', `/v2/sessions/${session}`)).status);
      return out;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it('429 storms carry Retry-After and the documented body', async () => {
    await addFault({ type: 'rateLimit', endpoint: 'GET /v2/sessions/:referenceNumber', count: 1, retryAfterSeconds: 17 });
    const res = await client.call('GET', `/v2/sessions/${session}`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('17');
    expect(res.body.status.code).toBe(429);
  });

  it('outage window: every KSeF endpoint answers 503 until it ends (simulated time)', async () => {
    await addFault({ type: 'outage', durationMs: 60_000 });
    expect((await client.call('POST', '/v2/auth/challenge', { token: null })).status).toBe(503);
    expect((await client.call('GET', `/v2/sessions/${session}`)).status).toBe(503);
    expect((await fetch(`${sim.url}/health/live`)).status).toBe(200);
    await client.call('POST', '/admin/clock', { body: { advanceMs: 61_000 }, token: null });
    expect((await client.call('GET', `/v2/sessions/${session}`)).status).toBe(200);
  });

  it('slow responses arrive after the delay', async () => {
    await addFault({ type: 'slow', endpoint: 'GET /v2/sessions/:referenceNumber', count: 1, delayMs: 400 });
    const started = Date.now();
    expect((await client.call('GET', `/v2/sessions/${session}`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('timeouts: the request is accepted and never answered', async () => {
    await addFault({ type: 'timeout', endpoint: SEND, count: 1 });
    const result = await rawPost(sim.url, `/v2/sessions/online/${session}/invoices`, client.accessToken as string, invoice('TO'), 500);
    expect(result.outcome).toBe('timeout');
  });

  it('dropped connection AFTER processing: the client hears nothing, yet the invoice is accepted', async () => {
    await addFault({ type: 'drop', endpoint: SEND, count: 1 });
    const body = invoice('DROP');
    const result = await rawPost(sim.url, `/v2/sessions/online/${session}/invoices`, client.accessToken as string, body, 5_000);
    expect(result.outcome).toBe('reset');
    // Reconcile by hash, as integrators must: the invoice is in the session and reaches 200.
    const found = await waitFor(async () => {
      const list = await client.call('GET', `/v2/sessions/${session}/invoices?pageSize=1000`);
      const match = list.body.invoices.find((i: { invoiceHash: string; status: { code: number } }) => i.invoiceHash === body.invoiceHash);
      return match?.status.code === 200 ? match : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'dropped invoice accepted' });
    expect(found.ksefNumber).toBeDefined();
  });

  it('faults apply to batch part uploads too: a dropped upload is still stored', async () => {
    const batchCrypto = new SessionCrypto();
    const part = batchCrypto.encrypt(Buffer.from('archive bytes'));
    const opened = await client.call('POST', '/v2/sessions/batch', {
      body: {
        formCode: FA3,
        batchFile: { fileSize: 13, fileHash: sha256(Buffer.from('archive bytes')), fileParts: [{ ordinalNumber: 1, fileSize: part.length, fileHash: sha256(part) }] },
        encryption: batchCrypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')),
      },
    });
    await addFault({ type: 'drop', endpoint: 'PUT /storage/batch/:session/:ordinal', count: 1 });
    await expect(fetch(opened.body.partUploadRequests[0].url, { method: 'PUT', body: part })).rejects.toThrow();
    // The part was stored before the connection dropped: closing finds no missing part (no 21205).
    const close = await client.call('POST', `/v2/sessions/batch/${opened.body.referenceNumber}/close`);
    expect(close.status).toBe(204);
  });

  it('slow processing: invoices stay at 150 while the fault is active, then finish', async () => {
    const rule = (await addFault({ type: 'stuckProcessing' })).body;
    const sent = await client.call('POST', `/v2/sessions/online/${session}/invoices`, { body: invoice('STUCK') });
    await waitFor(async () => (await client.call('GET', `/v2/sessions/${session}/invoices/${sent.body.referenceNumber}`)).body.status.code === 150, {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'status 150',
    });
    // Still 150 well after the normal processing time (2 x 20 ms).
    await client.call('POST', '/admin/clock', { body: { advanceMs: 5_000 }, token: null });
    expect((await client.call('GET', `/v2/sessions/${session}/invoices/${sent.body.referenceNumber}`)).body.status.code).toBe(150);
    expect((await client.call('DELETE', `/admin/faults/${rule.id}`, { token: null })).status).toBe(204);
    await waitFor(async () => (await client.call('GET', `/v2/sessions/${session}/invoices/${sent.body.referenceNumber}`)).body.status.code === 200, {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'status 200 after the fault',
    });
  });
});
