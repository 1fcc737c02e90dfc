import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { KsefHttp, type KsefLogger } from './ksef-http';
import { KsefAmbiguousError, KsefRateLimitError, KsefTransportError, type KsefError } from '../errors/ksef-errors';

// A tiny local HTTP server that only misbehaves at the transport level (stall, reset, status codes). It does not
// imitate KSeF's protocol: those behaviours are tested against the simulator (*.e2e.spec.ts).
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let handler: Handler;
let baseUrl: string;
const SECRET = 'eyJhbGciOiJSUzI1NiJ9.secret-access-token';

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function recordingLogger(): KsefLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (o, m) => lines.push(JSON.stringify([o, m])), warn: (o, m) => lines.push(JSON.stringify([o, m])) };
}

async function failure(promise: Promise<unknown>): Promise<KsefError> {
  try {
    await promise;
  } catch (error) {
    return error as KsefError;
  }
  throw new Error('expected a failure');
}

describe('KsefHttp', () => {
  it('sends the bearer token and returns an expected response', async () => {
    let seen: string | undefined;
    handler = (req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    const http = new KsefHttp({ baseUrl });
    const res = await http.send({ operation: 'probe', method: 'GET', path: '/probe', bearer: SECRET, idempotent: true, expect: [200] });
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    expect(seen).toBe(`Bearer ${SECRET}`);
    await http.close();
  });

  it('times out a stalled read as transport KSEF_TIMEOUT, and a stalled send as ambiguous', async () => {
    handler = () => undefined; // never answers
    const logger = recordingLogger();
    const http = new KsefHttp({ baseUrl, timeoutMs: 200, logger });
    const read = await failure(http.send({ operation: 'read', method: 'GET', path: '/stall', bearer: SECRET, idempotent: true, expect: [200] }));
    expect(read).toBeInstanceOf(KsefTransportError);
    expect(read.code).toBe('KSEF_TIMEOUT');
    const send = await failure(http.send({ operation: 'sendInvoice', method: 'POST', path: '/stall', json: { a: 1 }, bearer: SECRET, idempotent: false, expect: [202] }));
    expect(send).toBeInstanceOf(KsefAmbiguousError);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    await http.close();
  });

  it('classifies a connection reset after sending', async () => {
    handler = (req) => req.socket.destroy();
    const http = new KsefHttp({ baseUrl });
    const send = await failure(http.send({ operation: 'closeOnlineSession', method: 'POST', path: '/reset', idempotent: false, expect: [204] }));
    expect(send).toBeInstanceOf(KsefAmbiguousError);
    expect(send.facts.networkCode).toBeDefined();
    const read = await failure(http.send({ operation: 'getSessionStatus', method: 'GET', path: '/reset', idempotent: true, expect: [200] }));
    expect(read).toBeInstanceOf(KsefTransportError);
    expect(read.code).toBe('KSEF_CONNECTION_FAILED');
    await http.close();
  });

  it('classifies refused connections and DNS failures as transport, even for sends', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = new KsefHttp({ baseUrl: `http://127.0.0.1:${port}/v2` });
    const e1 = await failure(refused.send({ operation: 'sendInvoice', method: 'POST', path: '/x', idempotent: false, expect: [202] }));
    expect(e1).toBeInstanceOf(KsefTransportError);
    expect(e1.code).toBe('KSEF_CONNECTION_FAILED');
    await refused.close();
    // A resolver that fails like getaddrinfo does, so the test does not depend on the machine's DNS.
    const failingLookup = (_host: string, _opts: unknown, cb: (err: Error) => void): void => cb(Object.assign(new Error('getaddrinfo ENOTFOUND ksef.invalid'), { code: 'ENOTFOUND' }));
    const agent = new Agent({ connect: { lookup: failingLookup as never } });
    const dns = new KsefHttp({ baseUrl: 'http://ksef.invalid/v2', dispatcher: agent });
    const e2 = await failure(dns.send({ operation: 'sendInvoice', method: 'POST', path: '/x', idempotent: false, expect: [202] }));
    expect(e2.code).toBe('KSEF_DNS_FAILED');
    await agent.close();
  });

  it('maps statuses: 429 with Retry-After, 5xx by idempotency; never puts the token in errors', async () => {
    let status = 429;
    handler = (_req, res) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (status === 429) headers['retry-after'] = '3';
      res.writeHead(status, headers).end(JSON.stringify({ status: { code: status, description: 'x' } }));
    };
    const http = new KsefHttp({ baseUrl });
    const limited = await failure(http.send({ operation: 'sendInvoice', method: 'POST', path: '/x', bearer: SECRET, idempotent: false, expect: [202] }));
    expect(limited).toBeInstanceOf(KsefRateLimitError);
    expect((limited as KsefRateLimitError).retryAfterMs).toBe(3_000);
    status = 500;
    const read = await failure(http.send({ operation: 'getInvoiceStatus', method: 'GET', path: '/x', bearer: SECRET, idempotent: true, expect: [200] }));
    expect(read.code).toBe('KSEF_SERVER_ERROR');
    expect(read.facts.httpStatus).toBe(500);
    const send = await failure(http.send({ operation: 'sendInvoice', method: 'POST', path: '/x', bearer: SECRET, idempotent: false, expect: [202] }));
    expect(send.code).toBe('KSEF_OUTCOME_UNKNOWN');
    for (const e of [limited, read, send]) {
      expect(e.message).not.toContain(SECRET);
      expect(JSON.stringify(e.toJSON())).not.toContain(SECRET);
    }
    await http.close();
  });

  it('keeps query strings of absolute URLs (signed links) out of the logged path', async () => {
    handler = (_req, res) => res.writeHead(404).end();
    const http = new KsefHttp({ baseUrl });
    const other = baseUrl.replace('/v2', '');
    const e = await failure(http.send({ operation: 'downloadFromUrl', method: 'GET', path: `${other}/upo/abc?sig=SIGNATURE`, idempotent: true, expect: [200] }));
    expect(e.facts.path).toBe('/upo/abc');
    expect(JSON.stringify(e.toJSON())).not.toContain('SIGNATURE');
    await http.close();
  });

  it('reuses keep-alive connections', async () => {
    const sockets = new Set<unknown>();
    handler = (req, res) => {
      sockets.add(req.socket);
      res.writeHead(200).end('{}');
    };
    const http = new KsefHttp({ baseUrl, connections: 1 });
    for (let i = 0; i < 5; i += 1) await http.send({ operation: 'probe', method: 'GET', path: '/p', idempotent: true, expect: [200] });
    expect(sockets.size).toBe(1);
    await http.close();
  });
});
