import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KsefClient } from '@ksef-bridge/ksef-client';

/**
 * The sender's access-token door as the poller sees it: `POST /internal/v1/ksef-contexts/{nip}/access-token` with a
 * bearer token, answering 200 `{accessToken, validUntil}`, 404 KSEF_CONTEXT_UNKNOWN, 401, or 503 KSEF_AUTH_UNAVAILABLE.
 * A stand-in on purpose (the poller's tests are about the poller), but the tokens are real: it logs in to the
 * simulator with a KsefClient holding the context's KSeF token, as the sender does.
 */
export interface TokenServer {
  url: string;
  token: string;
  /** Makes `nip` known, logging in with `ksefToken` on the first request. */
  register(nip: string, ksefToken: string): void;
  /** Requests answered, per NIP. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

export async function startTokenServer(ksefBaseUrl: string): Promise<TokenServer> {
  const token = randomBytes(24).toString('hex');
  const clients = new Map<string, KsefClient>();
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const match = /^\/internal\/v1\/ksef-contexts\/(\d{10})\/access-token$/.exec(req.url ?? '');
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || !match) return json(404, { code: 'NOT_FOUND' });
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { code: 'UNAUTHORIZED' });
    const client = clients.get(match[1]);
    if (!client) return json(404, { code: 'KSEF_CONTEXT_UNKNOWN', message: `no context ${match[1]}` });
    requests.set(match[1], (requests.get(match[1]) ?? 0) + 1);
    client.currentAccessToken().then(
      (t) => json(200, t),
      () => json(503, { code: 'KSEF_AUTH_UNAVAILABLE', message: 'KSeF authentication failed' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    register(nip, ksefToken) {
      clients.set(nip, new KsefClient({ baseUrl: ksefBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: ksefToken }, rateLimiter: false, authPollIntervalMs: 50 }));
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
