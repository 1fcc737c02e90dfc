import { KsefAuthError, KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type AccessTokenProvider } from '../index';
import { startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// A process that must never hold KSeF credentials (the status-poller) works with access tokens minted by the one
// that does (the sender): `currentAccessToken()` on the holder, `accessTokenProvider` on the other, against the
// running simulator, which refuses a wrong bearer with a real 401.
let fx: SimFixture;

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_AUTH_DELAY_MS: '50' } });
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

/** A client of `nip` that has no credentials, only the provider. */
function borrower(nip: string, provider: AccessTokenProvider, refreshBeforeMs?: number): KsefClient {
  return new KsefClient({
    baseUrl: fx.sim.apiBaseUrl,
    context: { type: 'Nip', value: nip },
    accessTokenProvider: provider,
    rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }),
    ...(refreshBeforeMs === undefined ? {} : { refreshBeforeMs }),
  });
}

describe('access tokens handed from the credentials holder to a borrower (simulator)', () => {
  it('currentAccessToken logs in once and hands out the token the client itself uses, with its validUntil', async () => {
    const { client } = await fx.newClient();
    const first = await client.currentAccessToken();
    expect(first.accessToken).toBeTruthy();
    expect(Date.parse(first.validUntil)).toBeGreaterThan(Date.now() + 60_000);
    await client.getContextLimits();
    expect(await client.currentAccessToken()).toEqual(first);
    expect(client.tokens.stats).toEqual({ logins: 1, refreshes: 0 });
  });

  it('currentAccessToken stops waiting when its signal aborts', async () => {
    const { client } = await fx.newClient();
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    await expect(client.currentAccessToken(controller.signal)).rejects.toThrow('caller gave up');
  });

  it('a borrower calls KSeF with the provided token, asks the provider once while the token is fresh, never logs in itself', async () => {
    const { client: holder, nip } = await fx.newClient();
    const provider = jest.fn<ReturnType<AccessTokenProvider>, Parameters<AccessTokenProvider>>(() => holder.currentAccessToken());
    const client = borrower(nip, provider);
    try {
      await client.getContextLimits();
      await client.getContextLimits();
      const session = await holder.openOnlineSession();
      const listed = await client.listSessionInvoices(session.referenceNumber);
      expect(listed.invoices).toEqual([]);
      expect(provider).toHaveBeenCalledTimes(1);
      expect(holder.tokens.stats.logins).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('asks the provider again once the token is within the margin of its validUntil', async () => {
    const { client: holder, nip } = await fx.newClient();
    // The real token, declared to expire 1 s past the borrower's 500 ms margin: reused at once, renewed after.
    const provider = jest.fn(async () => ({ ...(await holder.currentAccessToken()), validUntil: new Date(Date.now() + 1_500).toISOString() }));
    const client = borrower(nip, provider, 500);
    try {
      await client.getContextLimits();
      await client.getContextLimits();
      expect(provider).toHaveBeenCalledTimes(1);
      await new Promise((r) => setTimeout(r, 1_100));
      await client.getContextLimits();
      expect(provider).toHaveBeenCalledTimes(2);
    } finally {
      await client.close();
    }
  });

  it('on a 401 asks the provider once more and retries with the new token', async () => {
    const { client: holder, nip } = await fx.newClient();
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    let calls = 0;
    const provider: AccessTokenProvider = async () => (++calls === 1 ? { accessToken: 'revoked-or-forged-token', validUntil } : holder.currentAccessToken());
    const client = borrower(nip, provider);
    try {
      await expect(client.getContextLimits()).resolves.toBeDefined();
      expect(calls).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('fails with the 401 when the second token is refused too (provider asked exactly twice)', async () => {
    const { nip } = await fx.newClient();
    const provider = jest.fn(async () => ({ accessToken: 'never-valid', validUntil: new Date(Date.now() + 3_600_000).toISOString() }));
    const client = borrower(nip, provider);
    try {
      const error = await client.getContextLimits().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KsefAuthError);
      expect((error as KsefAuthError).facts.httpStatus).toBe(401);
      expect(provider).toHaveBeenCalledTimes(2);
    } finally {
      await client.close();
    }
  });

  it('a provider failure reaches the caller as is; an unusable answer is an auth error', async () => {
    const { nip } = await fx.newClient();
    const down = borrower(nip, async () => {
      throw new Error('sender unreachable');
    });
    const empty = borrower(nip, async () => ({ accessToken: '', validUntil: 'soon' }));
    try {
      await expect(down.getContextLimits()).rejects.toThrow('sender unreachable');
      const error = await empty.getContextLimits().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KsefAuthError);
      expect((error as KsefAuthError).retriable).toBe(true);
    } finally {
      await down.close();
      await empty.close();
    }
  });

  it("a borrower's logout forgets its token without revoking the holder's authentication", async () => {
    const { client: holder, nip } = await fx.newClient();
    const provider = jest.fn(() => holder.currentAccessToken());
    const client = borrower(nip, provider);
    try {
      await client.getContextLimits();
      await client.logout();
      await holder.getContextLimits();
      await client.getContextLimits();
      expect(provider).toHaveBeenCalledTimes(2);
      expect(holder.tokens.stats.logins).toBe(1);
    } finally {
      await client.close();
    }
  });
});
