import { KsefAuthError, KsefClient, KsefHttp, KsefLogicalError, createSelfSignedCertificate, selectPublicKeyCertificate } from '../index';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { randomNip, startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// Authentication against the running simulator: keys, KSeF-token auth, redeem-once, refresh before expiry.
let fx: SimFixture;

beforeAll(async () => {
  // Access tokens live 4 s here, so a flow of a few seconds crosses at least one refresh.
  fx = await startSimFixture({ env: { SIM_ACCESS_TOKEN_TTL_SECONDS: '4', SIM_AUTH_DELAY_MS: '50' } });
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

describe('ksef-client authentication (simulator)', () => {
  it('lists public-key certificates and picks one per usage', async () => {
    const { client } = await fx.newClient();
    const certs = await client.getPublicKeyCertificates();
    expect(selectPublicKeyCertificate(certs, 'KsefTokenEncryption')).toBeDefined();
    expect(selectPublicKeyCertificate(certs, 'SymmetricKeyEncryption')).toBeDefined();
  });

  it('authenticates with a KSeF token (challenge → RSA-OAEP token → poll → redeem)', async () => {
    const { client, token } = await fx.newClient();
    const init = await client.authenticateWithKsefToken(token);
    expect(init.referenceNumber).toHaveLength(36);
    const status = await client.waitForAuthentication(init);
    expect(status.status.code).toBe(200);
    const tokens = await client.redeemTokens(init.authenticationToken.token);
    expect(tokens.accessToken.token).toBeTruthy();
    expect(tokens.refreshToken.token).toBeTruthy();
  });

  it('refuses a second redeem with exception 21301 (logical, not retriable)', async () => {
    const { client, token } = await fx.newClient();
    const init = await client.authenticateWithKsefToken(token);
    await client.waitForAuthentication(init);
    await client.redeemTokens(init.authenticationToken.token);
    const error = await client.redeemTokens(init.authenticationToken.token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect((error as KsefLogicalError).hasExceptionCode(21301)).toBe(true);
    expect((error as KsefLogicalError).retriable).toBe(false);
    expect((error as KsefLogicalError).responseBody).toMatchObject({ exception: { exceptionDetailList: [{ exceptionCode: 21301 }] } });
  });

  it('reports a wrong KSeF token as a failed authentication (status 450)', async () => {
    const { client, nip } = await fx.newClient();
    const { token } = await fx.admin.seedKsefToken(nip);
    const forged = token.replace(/\|[0-9a-f]+$/, `|${'0'.repeat(64)}`);
    const init = await client.authenticateWithKsefToken(forged).catch((e: unknown) => e);
    // KSeF may refuse at once (4xx) or accept and fail the operation (status 450); both are auth-class outcomes.
    if (init instanceof Error) {
      expect(init).toBeInstanceOf(KsefLogicalError);
      return;
    }
    const error = await client.waitForAuthentication(init as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefAuthError);
    expect((error as KsefAuthError).code).toBe('KSEF_AUTH_FAILED');
    expect((error as KsefAuthError).authStatusCode).toBe(450);
  });

  it('refreshes the access token before it expires, mid-flow, without a 401', async () => {
    const { client } = await fx.newClient({ refreshBeforeMs: 2_000 });
    await client.getContextLimits();
    expect(client.tokens.stats).toEqual({ logins: 1, refreshes: 0 });
    // Each access token lives 4 s and is refreshed 2 s before expiry: 5 s of calls need at least two refreshes.
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      await client.getContextLimits();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(client.tokens.stats.refreshes).toBeGreaterThanOrEqual(2);
    expect(client.tokens.stats.logins).toBe(1);
  });

  it('an access token used after expiry is refused as 401 and classified as token expired', async () => {
    const { client, token } = await fx.newClient({ rateLimiter: false });
    const init = await client.authenticateWithKsefToken(token);
    await client.waitForAuthentication(init);
    const tokens = await client.redeemTokens(init.authenticationToken.token);
    await new Promise((r) => setTimeout(r, 4_500));
    const http = new KsefHttp({ baseUrl: fx.sim.apiBaseUrl });
    const error = await http
      .send({ operation: 'getContextLimits', method: 'GET', path: '/limits/context', bearer: tokens.accessToken.token, idempotent: true, expect: [200], tokenExpired: () => Date.parse(tokens.accessToken.validUntil) <= Date.now() })
      .catch((e: unknown) => e);
    await http.close();
    expect(error).toBeInstanceOf(KsefAuthError);
    expect((error as KsefAuthError).code).toBe('KSEF_TOKEN_EXPIRED');
    expect((error as KsefAuthError).retriable).toBe(true);
  });
  it('authenticates with XAdES using a self-signed seal (TE) and then works in that context', async () => {
    const nip = randomNip();
    const seal = createSelfSignedCertificate({ subject: { type: 'seal', nip } });
    const client = new KsefClient({
      baseUrl: fx.sim.apiBaseUrl,
      context: { type: 'Nip', value: nip },
      credentials: { type: 'xades', certificate: seal.certificatePem, privateKey: seal.privateKeyPem },
      authPollIntervalMs: 50,
    });
    try {
      const limits = await client.getContextLimits();
      expect(limits.onlineSession.maxInvoices).toBeGreaterThan(0);
      expect(client.tokens.stats.logins).toBe(1);
      // A KSeF token generated in a XAdES session authenticates on its own afterwards.
      const generated = await client.generateKsefToken({ permissions: ['InvoiceWrite', 'InvoiceRead'], description: 'e2e generated token' });
      const byToken = new KsefClient({ baseUrl: fx.sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token: generated.token }, authPollIntervalMs: 50 });
      const waitActive = async (): Promise<void> => {
        for (let i = 0; i < 50; i += 1) {
          if ((await client.getKsefTokenStatus(generated.referenceNumber)).status === 'Active') return;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await waitActive();
      expect((await byToken.getContextLimits()).batchSession.maxInvoices).toBeGreaterThan(0);
      await byToken.close();
    } finally {
      await client.close();
    }
  });

  it.each(['rsa', 'ec'] as const)('a person certificate (TINPL serialNumber, %s key) authenticates too', async (keyType) => {
    const nip = randomNip();
    const person = createSelfSignedCertificate({ subject: { type: 'person-nip', nip }, keyType });
    const client = new KsefClient({ baseUrl: fx.sim.apiBaseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'xades', ...person }, authPollIntervalMs: 50 });
    try {
      await expect(client.getContextLimits()).resolves.toBeDefined();
    } finally {
      await client.close();
    }
  });

  it('a XAdES signature for another NIP than the context fails authentication', async () => {
    const seal = createSelfSignedCertificate({ subject: { type: 'seal', nip: randomNip() } });
    const client = new KsefClient({ baseUrl: fx.sim.apiBaseUrl, context: { type: 'Nip', value: randomNip() }, credentials: { type: 'xades', ...seal }, authPollIntervalMs: 50 });
    try {
      const error = await client.getContextLimits().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KsefAuthError);
      expect((error as KsefAuthError).code).toBe('KSEF_AUTH_FAILED');
      expect((error as KsefAuthError).authStatusCode).toBe(415);
      expect((error as KsefAuthError).retriable).toBe(false);
    } finally {
      await client.close();
    }
  });
  it('keeps an interactive flow going across access-token expiries (refresh mid-flow, one login)', async () => {
    const { client, nip } = await fx.newClient({ refreshBeforeMs: 1_500 });
    const session = await client.openOnlineSession();
    const first = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FV/R/${Date.now()}/1` }));
    await new Promise((r) => setTimeout(r, 4_500)); // the access token used so far has expired by now
    const second = await session.sendInvoice(buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FV/R/${Date.now()}/2` }));
    for (const sent of [first, second]) expect((await session.waitForInvoice(sent.referenceNumber, { intervalMs: 100, timeoutMs: 30_000 })).kind).toBe('accepted');
    expect(await client.getInvoiceUpo(session.referenceNumber, second.referenceNumber)).toContain('Potwierdzenie');
    await session.close();
    expect(client.tokens.stats.logins).toBe(1);
    expect(client.tokens.stats.refreshes).toBeGreaterThanOrEqual(1);
  });

  it('recovers from tokens KSeF no longer accepts: 401 → refresh refused → log in again, once', async () => {
    const { client } = await fx.newClient();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    client.setTokens({ accessToken: { token: 'revoked-access', validUntil: future }, refreshToken: { token: 'revoked-refresh', validUntil: future } });
    await expect(client.getContextLimits()).resolves.toBeDefined();
    expect(client.tokens.stats.logins).toBe(1);
  });
});
