import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SenderTokenClient } from './sender-token.client';

// A loopback HTTP server answering as the sender's access-token door would: each status must map to its stable code.
describe('SenderTokenClient', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown };
  let seen: { method?: string; url?: string; authorization?: string };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { method: req.method, url: req.url, authorization: req.headers.authorization };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => new SenderTokenClient(url, 'internal-token-0123456789', 2_000);

  it('asks for the context with the bearer and returns the token', async () => {
    answer = { status: 200, body: { accessToken: 'at', validUntil: '2026-01-01T10:15:00Z' } };
    await expect(client().accessToken('5265877635')).resolves.toEqual({ accessToken: 'at', validUntil: '2026-01-01T10:15:00Z' });
    expect(seen).toEqual({ method: 'POST', url: '/internal/v1/ksef-contexts/5265877635/access-token', authorization: 'Bearer internal-token-0123456789' });
  });

  it.each([
    [404, { code: 'KSEF_CONTEXT_UNKNOWN' }, 'KSEF_CONTEXT_UNKNOWN', true],
    [401, { code: 'UNAUTHORIZED' }, 'SENDER_AUTH_REFUSED', false],
    [503, { code: 'KSEF_AUTH_UNAVAILABLE' }, 'KSEF_AUTH_UNAVAILABLE', true],
    [500, 'oops', 'SENDER_TOKEN_UNAVAILABLE', true],
    [200, { accessToken: 'at' }, 'SENDER_TOKEN_MALFORMED', true],
  ])('%i answers fail with a stable code', async (status, body, code, retriable) => {
    answer = { status, body };
    await expect(client().accessToken('5265877635')).rejects.toMatchObject({ code, retriable });
  });

  it('a sender that does not answer is SENDER_UNREACHABLE (retriable)', async () => {
    await expect(new SenderTokenClient('http://127.0.0.1:1', undefined, 1_000).accessToken('5265877635')).rejects.toMatchObject({ code: 'SENDER_UNREACHABLE', retriable: true });
  });
});
