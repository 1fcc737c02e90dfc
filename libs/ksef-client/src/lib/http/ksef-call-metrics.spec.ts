import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetricsRegistry, type Registry } from '@ksef-bridge/observability';
import { KsefHttp, type KsefCallEvent } from './ksef-http';
import { registerKsefCallMetrics } from './ksef-call-metrics';
import { ksefRouteOf } from './ksef-route';

// The hook sees every call exactly once, with a templated route (never an id); the registered families count them.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let handler: Handler;
let baseUrl: string;
const SESSION = '20250625-SO-2C3E6C8000-B675CF5D68-07';
const INVOICE = '20250625-EE-319D7EE000-B67F415CDC-2C';

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function settle(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => undefined);
}

function sample(text: string, line: string): number | undefined {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
}

describe('ksefRouteOf', () => {
  it.each([
    [`/sessions/online/${SESSION}/invoices`, '/sessions/online/{referenceNumber}/invoices'],
    [`/sessions/online/${SESSION}/close`, '/sessions/online/{referenceNumber}/close'],
    [`/sessions/${SESSION}/invoices/${INVOICE}`, '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}'],
    [`/sessions/${SESSION}/invoices/${INVOICE}/upo`, '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo'],
    [`/sessions/${SESSION}/invoices/ksef/5265877635-20250826-0100001AF629-AF/upo`, '/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo'],
    [`/sessions/${SESSION}`, '/sessions/{referenceNumber}'],
    ['/sessions/online', '/sessions/online'],
    ['/auth/challenge', '/auth/challenge'],
    [`/auth/20250514-AU-2DFC46C000-3AC6D5877F-D4`, '/auth/{referenceNumber}'],
    ['/auth/token/refresh', '/auth/token/refresh'],
    ['/invoices/ksef/5265877635-20250826-0100001AF629-AF', '/invoices/ksef/{ksefNumber}'],
    ['/invoices/query/metadata?pageSize=10', '/invoices/query/metadata'],
    ['/some/new/abc123/thing', '/some/new/{id}/thing'],
    ['https://upload.ksef.example/part/1?sig=secret', '(external)'],
  ])('%s → %s', (path, route) => {
    expect(ksefRouteOf(path)).toBe(route);
  });
});

describe('KsefHttp onCall hook', () => {
  it('reports status, templated route, rate-limit group and duration of an answered call', async () => {
    handler = (_req, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    const events: KsefCallEvent[] = [];
    const http = new KsefHttp({ baseUrl, onCall: (e) => events.push(e) });
    await http.send({ operation: 'sendInvoice', method: 'POST', path: `/sessions/online/${SESSION}/invoices`, json: {}, idempotent: false, expect: [202] });
    await http.close();
    expect(events).toEqual([
      { operation: 'sendInvoice', method: 'POST', route: '/sessions/online/{referenceNumber}/invoices', group: 'invoiceSend', status: 202, durationMs: expect.any(Number) },
    ]);
    expect(JSON.stringify(events)).not.toContain(SESSION);
  });

  it('reports a 429 with the Retry-After wait, a refusal with its status, a timeout as error', async () => {
    const events: KsefCallEvent[] = [];
    const http = new KsefHttp({ baseUrl, timeoutMs: 150, onCall: (e) => events.push(e) });
    handler = (_req, res) => res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{}');
    await settle(http.send({ operation: 'getSessionStatus', method: 'GET', path: `/sessions/${SESSION}`, idempotent: true, expect: [200] }));
    handler = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"exception":{"exceptionDetailList":[]}}');
    await settle(http.send({ operation: 'getSessionStatus', method: 'GET', path: `/sessions/${SESSION}`, idempotent: true, expect: [200] }));
    handler = () => undefined;
    await settle(http.send({ operation: 'getSessionStatus', method: 'GET', path: `/sessions/${SESSION}`, idempotent: true, expect: [200] }));
    await http.close();
    expect(events.map(({ status, error, retryAfterMs, group }) => ({ status, error, retryAfterMs, group }))).toEqual([
      { status: 429, error: undefined, retryAfterMs: 7000, group: 'sessionMisc' },
      { status: 400, error: undefined, retryAfterMs: undefined, group: 'sessionMisc' },
      { status: undefined, error: 'timeout', retryAfterMs: undefined, group: 'sessionMisc' },
    ]);
    expect(events[2]!.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('reports an unreachable host as a network error and a caller abort as aborted', async () => {
    const events: KsefCallEvent[] = [];
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v2`;
    await new Promise((resolve) => closed.close(resolve));
    const dead = new KsefHttp({ baseUrl: deadUrl, onCall: (e) => events.push(e) });
    await settle(dead.send({ operation: 'getChallenge', method: 'POST', path: '/auth/challenge', idempotent: true, expect: [200] }));
    await dead.close();
    handler = () => undefined;
    const http = new KsefHttp({ baseUrl, onCall: (e) => events.push(e) });
    await settle(http.send({ operation: 'getChallenge', method: 'POST', path: '/auth/challenge', idempotent: true, expect: [200], signal: AbortSignal.timeout(50) }));
    await http.close();
    expect(events.map((e) => [e.route, e.group, e.error])).toEqual([
      ['/auth/challenge', 'none', 'network'],
      ['/auth/challenge', 'none', 'aborted'],
    ]);
  });

  it('a throwing hook never fails the call', async () => {
    handler = (_req, res) => res.writeHead(200).end('{}');
    const http = new KsefHttp({ baseUrl, onCall: () => { throw new Error('sink broken'); } });
    await expect(http.send({ operation: 'probe', method: 'GET', path: '/probe', idempotent: true, expect: [200] })).resolves.toMatchObject({ status: 200 });
    await http.close();
  });
});

describe('registerKsefCallMetrics', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = createMetricsRegistry('sender-test');
  });

  it('declares every family before the first call', async () => {
    registerKsefCallMetrics(registry);
    const text = await registry.metrics();
    for (const [name, type] of [
      ['ksef_api_calls_total', 'counter'],
      ['ksef_api_call_duration_seconds', 'histogram'],
      ['ksef_api_timeouts_total', 'counter'],
      ['ksef_api_rate_limited_total', 'counter'],
      ['ksef_api_retry_after_seconds_total', 'counter'],
    ]) expect(text).toContain(`# TYPE ${name} ${type}`);
  });

  it('counts calls by route, method and status, timeouts, 429s and the Retry-After seconds', async () => {
    const hook = registerKsefCallMetrics(registry);
    const route = '/sessions/{referenceNumber}';
    const base = { operation: 'getSessionStatus', method: 'GET' as const, route, group: 'sessionMisc' as const };
    hook({ ...base, status: 200, durationMs: 40 });
    hook({ ...base, status: 200, durationMs: 60 });
    hook({ ...base, status: 429, durationMs: 5, retryAfterMs: 7000 });
    hook({ ...base, status: 429, durationMs: 5, retryAfterMs: 2500 });
    hook({ ...base, error: 'timeout', durationMs: 30_000 });
    // A second registration on the same registry feeds the same series (one hook per client is fine).
    registerKsefCallMetrics(registry)({ ...base, error: 'network', durationMs: 3 });
    const text = await registry.metrics();
    const l = (labels: string) => `{${labels},service="sender-test"}`;
    expect(sample(text, `ksef_api_calls_total${l(`route="${route}",method="GET",status="200"`)}`)).toBe(2);
    expect(sample(text, `ksef_api_calls_total${l(`route="${route}",method="GET",status="429"`)}`)).toBe(2);
    expect(sample(text, `ksef_api_calls_total${l(`route="${route}",method="GET",status="timeout"`)}`)).toBe(1);
    expect(sample(text, `ksef_api_calls_total${l(`route="${route}",method="GET",status="network"`)}`)).toBe(1);
    expect(sample(text, `ksef_api_timeouts_total${l(`route="${route}"`)}`)).toBe(1);
    expect(sample(text, `ksef_api_rate_limited_total${l(`route="${route}"`)}`)).toBe(2);
    expect(sample(text, `ksef_api_retry_after_seconds_total{service="sender-test"}`)).toBe(9.5);
    // prom-client puts the default label first on histogram series.
    expect(sample(text, `ksef_api_call_duration_seconds_count{service="sender-test",route="${route}"}`)).toBe(6);
    expect(sample(text, `ksef_api_call_duration_seconds_bucket{le="0.05",service="sender-test",route="${route}"}`)).toBe(4);
  });
});
