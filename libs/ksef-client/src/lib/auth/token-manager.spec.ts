import { KsefAuthError, KsefTransportError } from '../errors/ksef-errors';
import { TokenManager, type SessionTokens } from './token-manager';

const facts = { operation: 'refreshAccessToken', method: 'POST', path: '/auth/token/refresh', referenceNumbers: {} };

function setup(options: { refreshFails?: Error } = {}) {
  let now = 1_000_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  let n = 0;
  const login = jest.fn(async (): Promise<SessionTokens> => {
    n += 1;
    return { accessToken: { token: `access-${n}`, validUntil: iso(now + 15 * 60_000) }, refreshToken: { token: `refresh-${n}`, validUntil: iso(now + 7 * 86_400_000) } };
  });
  const refresh = jest.fn(async (refreshToken: string) => {
    await Promise.resolve();
    if (options.refreshFails) throw options.refreshFails;
    n += 1;
    return { token: `access-${n}-from-${refreshToken}`, validUntil: iso(now + 15 * 60_000) };
  });
  const manager = new TokenManager({ login, refresh, refreshBeforeMs: 60_000, now: () => now });
  return { manager, login, refresh, advance: (ms: number) => (now += ms) };
}

describe('TokenManager', () => {
  it('logs in lazily once and reuses the access token while it is fresh', async () => {
    const { manager, login } = setup();
    expect(await manager.accessToken()).toBe('access-1');
    expect(await manager.accessToken()).toBe('access-1');
    expect(login).toHaveBeenCalledTimes(1);
  });

  it('refreshes before expiry (not on 401), with the refresh token', async () => {
    const { manager, refresh, advance } = setup();
    await manager.accessToken();
    advance(14 * 60_000 + 1);
    expect(await manager.accessToken()).toBe('access-2-from-refresh-1');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(manager.stats).toEqual({ logins: 1, refreshes: 1 });
  });

  it('shares one refresh among concurrent callers', async () => {
    const { manager, refresh, advance } = setup();
    await manager.accessToken();
    advance(14 * 60_000 + 1);
    const tokens = await Promise.all([manager.accessToken(), manager.accessToken(), manager.accessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('logs in again when KSeF refuses the refresh token', async () => {
    const { manager, login, advance } = setup({ refreshFails: new KsefAuthError('KSEF_UNAUTHORIZED', 'revoked', false, { facts }) });
    await manager.accessToken();
    advance(15 * 60_000);
    expect(await manager.accessToken()).toBe('access-2');
    expect(login).toHaveBeenCalledTimes(2);
  });

  it('reports a transport failure of the refresh instead of logging in again', async () => {
    const { manager, advance } = setup({ refreshFails: new KsefTransportError('KSEF_TIMEOUT', 'timeout', { facts }) });
    await manager.accessToken();
    advance(15 * 60_000);
    await expect(manager.accessToken()).rejects.toBeInstanceOf(KsefTransportError);
  });

  it('knows when the access token has expired by its own clock', async () => {
    const { manager, advance } = setup();
    expect(manager.isAccessTokenExpired()).toBe(true);
    await manager.accessToken();
    expect(manager.isAccessTokenExpired()).toBe(false);
    advance(15 * 60_000);
    expect(manager.isAccessTokenExpired()).toBe(true);
  });
});

describe('TokenManager.accessTokenInfo', () => {
  it('returns the access token with its validUntil, renewing first like accessToken()', async () => {
    const { manager, login, advance } = setup();
    const first = await manager.accessTokenInfo();
    expect(first.token).toBe('access-1');
    expect(Date.parse(first.validUntil)).toBe(1_000_000 + 15 * 60_000);
    expect(await manager.accessTokenInfo()).toEqual(first);
    advance(14 * 60_000 + 1);
    const renewed = await manager.accessTokenInfo();
    expect(renewed.token).toBe('access-2-from-refresh-1');
    expect(login).toHaveBeenCalledTimes(1);
  });
});
