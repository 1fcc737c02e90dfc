import { randomBytes } from 'node:crypto';
import { KsefClient } from '@ksef-bridge/ksef-client';
import { startSimulator, type SimulatorProcess } from '@ksef-bridge/testing';
import { randomNip, startSender, type SenderHarness } from '../test/sender-harness';

// POST /internal/v1/ksef-contexts/{nip}/access-token on a running sender (real PostgreSQL and Kafka) against the
// BUILT KSeF simulator: the token it hands out works in KSeF for a client that holds no credentials.
jest.setTimeout(240_000);

describe('sender access tokens for other services', () => {
  let sim: SimulatorProcess;
  let sender: SenderHarness;
  let nip: string;

  const seedToken = async (forNip: string) => {
    const res = await fetch(`${sim.origin}/admin/ksef-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contextIdentifier: { type: 'Nip', value: forNip } }) });
    return ((await res.json()) as { token: string }).token;
  };
  const request = async (forNip: string, bearer: string | null = sender.documents.token, service = sender) => {
    const res = await fetch(`${service.service.url}/internal/v1/ksef-contexts/${forNip}/access-token`, { method: 'POST', headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sim = await startSimulator();
    sender = await startSender({ ksefBaseUrl: sim.apiBaseUrl });
    nip = randomNip();
    await sender.registerContext(nip, 'tenant-a', await seedToken(nip));
  });

  afterAll(async () => {
    await sender?.close();
    await sim?.stop();
  });

  it('hands out an access token that KSeF accepts, the same one while it is fresh', async () => {
    const first = await request(nip);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['accessToken', 'validUntil']);
    expect(Date.parse(first.body.validUntil as string)).toBeGreaterThan(Date.now());
    expect((await request(nip)).body).toEqual(first.body);

    // The status-poller's way: a client with no credentials, asking the sender for tokens.
    let asked = 0;
    const borrower = new KsefClient({
      baseUrl: sim.apiBaseUrl,
      context: { type: 'Nip', value: nip },
      rateLimiter: false,
      accessTokenProvider: async () => {
        asked += 1;
        const { status, body } = await request(nip);
        if (status !== 200) throw new Error(`sender answered ${status}`);
        return body as { accessToken: string; validUntil: string };
      },
    });
    try {
      await expect(borrower.getContextLimits()).resolves.toBeDefined();
      expect(asked).toBe(1);
    } finally {
      await borrower.close();
    }
    const metrics = await (await fetch(`${sender.service.url}/metrics`)).text();
    expect(metrics).toMatch(/ksef_sender_access_tokens_total\{[^}]*outcome="issued"[^}]*\} [3-9]/);
    expect(metrics).not.toContain(first.body.accessToken as string);
  });

  it('refuses a missing or wrong bearer with 401', async () => {
    expect(await request(nip, null)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', retriable: false } });
    expect(await request(nip, 'x'.repeat(48))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('answers 404 KSEF_CONTEXT_UNKNOWN for an unregistered, a disabled or a malformed context', async () => {
    expect(await request(randomNip())).toMatchObject({ status: 404, body: { code: 'KSEF_CONTEXT_UNKNOWN', retriable: true } });
    const disabled = randomNip();
    await sender.registerContext(disabled, 'tenant-a', await seedToken(disabled));
    await sender.dataSource.query(`UPDATE sender.ksef_contexts SET enabled = false WHERE nip = $1`, [disabled]);
    expect(await request(disabled)).toMatchObject({ status: 404, body: { code: 'KSEF_CONTEXT_UNKNOWN', retriable: true } });
    expect(await request('12345')).toMatchObject({ status: 404, body: { code: 'KSEF_CONTEXT_UNKNOWN' } });
  });

  it('answers 503 KSEF_AUTH_UNAVAILABLE when KSeF refuses the stored KSeF token', async () => {
    const revoked = randomNip();
    // A token KSeF never issued for this context: the login fails in KSeF, not in the sender.
    const foreign = (await seedToken(randomNip())).replace(/\|[0-9a-f]+$/, `|${randomBytes(32).toString('hex')}`);
    await sender.registerContext(revoked, 'tenant-a', foreign);
    const { status, body } = await request(revoked);
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: 'KSEF_AUTH_UNAVAILABLE', retriable: true });
    expect(JSON.stringify(body)).not.toContain(foreign);
  });

  it('with INTERNAL_API_TOKEN unset: open outside production, closed in production', async () => {
    for (const requireToken of [false, true]) {
      const other = await startSender({ ksefBaseUrl: sim.apiBaseUrl, internalApi: { requireToken } });
      try {
        const ctx = randomNip();
        await other.registerContext(ctx, 'tenant-a', await seedToken(ctx));
        const answer = await request(ctx, null, other);
        if (requireToken) expect(answer).toMatchObject({ status: 401, body: { code: 'INTERNAL_API_TOKEN_UNSET', retriable: false } });
        else expect(answer.status).toBe(200);
      } finally {
        await other.close();
      }
    }
  });
});
