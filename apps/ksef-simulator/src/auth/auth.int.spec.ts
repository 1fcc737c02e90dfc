import { constants, publicEncrypt } from 'node:crypto';
import { waitFor } from '@ksef-bridge/testing';
import { DocClient, startSimulator, type RunningSimulator } from '../../test/simulator-harness';
import { authTokenRequest, EXC_C14N, selfSignedCertificate, signEnveloped } from '../../test/xades-test-signer';

const NIP = '5265877635';

describe('authentication', () => {
  let sim: RunningSimulator;
  let client: DocClient;

  beforeAll(async () => {
    sim = await startSimulator({ accessTokenTtlSeconds: 60 });
    client = new DocClient(sim);
  });
  afterAll(() => sim.close());

  async function challenge() {
    return (await client.call('POST', '/v2/auth/challenge', { token: null })).body as { challenge: string; timestampMs: number; timestamp: string; clientIp: string };
  }

  async function finalAuthStatus(ref: string, authToken: string) {
    return waitFor(async () => {
      const res = await client.call('GET', `/v2/auth/${ref}`, { token: authToken });
      return res.body.status.code !== 100 ? res.body : undefined;
    }, { timeoutMs: 5_000, intervalMs: 10, what: 'final auth status' });
  }

  async function encryptToken(text: string) {
    const cert = await client.certificate('KsefTokenEncryption');
    return publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(text)).toString('base64');
  }

  it('publishes one certificate per usage with ids derived from the certificate and key', async () => {
    const res = await client.call('GET', '/v2/security/public-key-certificates', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.map((c: { usage: string[] }) => c.usage[0]).sort()).toEqual(['KsefTokenEncryption', 'SymmetricKeyEncryption']);
    for (const c of res.body) expect(c.certificateId).toHaveLength(44);
  });

  it('KSeF token: challenge -> 202 -> status 200 -> redeem once (second redeem 21301) -> refresh -> sessions -> revoke', async () => {
    const token = await client.seedToken(NIP);
    const ch = await challenge();
    expect(ch.challenge).toMatch(/^\d{8}-CR-/);
    const init = await client.call('POST', '/v2/auth/ksef-token', { token: null, body: { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(`${token}|${ch.timestampMs}`) } });
    expect(init.status).toBe(202);
    const authToken = init.body.authenticationToken.token;
    const status = await finalAuthStatus(init.body.referenceNumber, authToken);
    expect(status).toMatchObject({ authenticationMethod: 'Token', status: { code: 200, description: 'Uwierzytelnianie zakończone sukcesem' }, isTokenRedeemed: false });
    const redeem = await client.call('POST', '/v2/auth/token/redeem', { token: authToken });
    expect(redeem.status).toBe(200);
    const again = await client.call('POST', '/v2/auth/token/redeem', { token: authToken });
    expect(again.status).toBe(400);
    expect(again.body.exception.exceptionDetailList[0].exceptionCode).toBe(21301);
    // The challenge is single-use.
    const reuse = await client.call('POST', '/v2/auth/ksef-token', { token: null, body: { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(`${token}|${ch.timestampMs}`) } });
    expect(reuse.body.exception.exceptionDetailList[0].exceptionCode).toBe(21111);

    const refreshed = await client.call('POST', '/v2/auth/token/refresh', { token: redeem.body.refreshToken.token });
    expect(refreshed.status).toBe(200);
    const access = refreshed.body.accessToken.token;
    // An access token is not a refresh token.
    expect((await client.call('POST', '/v2/auth/token/refresh', { token: access })).status).toBe(401);
    const sessions = await client.call('GET', '/v2/auth/sessions', { token: access });
    expect(sessions.body.items).toEqual([expect.objectContaining({ referenceNumber: init.body.referenceNumber, isCurrent: true, isTokenRedeemed: true })]);
    expect((await client.call('DELETE', '/v2/auth/sessions/current', { token: access })).status).toBe(204);
    const revoked = await client.call('GET', '/v2/auth/sessions', { token: access });
    expect(revoked.status).toBe(401);
    expect((await client.call('POST', '/v2/auth/token/refresh', { token: redeem.body.refreshToken.token })).status).toBe(401);
    expect((await finalAuthStatus(init.body.referenceNumber, authToken)).status.code).toBe(425);
  });

  it('expired access tokens are 401 (simulated clock)', async () => {
    const c = new DocClient(sim);
    await c.authenticateWithToken(NIP, await c.seedToken(NIP));
    expect((await c.call('GET', '/v2/auth/sessions')).status).toBe(200);
    await c.call('POST', '/admin/clock', { body: { advanceMs: 61_000 }, token: null });
    const expired = await c.call('GET', '/v2/auth/sessions');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it.each([
    ['wrong timestamp', (t: string, ms: number) => `${t}|${ms + 1}`, 'Nieprawidłowy czas tokena'],
    ['unknown token', (_t: string, ms: number) => `20250101-EC-0000000000-0000000000-00|nip-${NIP}|00|${ms}`, 'Nieprawidłowy token'],
  ])('a bad KSeF token (%s) ends in status 450', async (_name, build, detail) => {
    const token = await client.seedToken(NIP);
    const ch = await challenge();
    const init = await client.call('POST', '/v2/auth/ksef-token', { token: null, body: { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(build(token, ch.timestampMs)) } });
    const status = await finalAuthStatus(init.body.referenceNumber, init.body.authenticationToken.token);
    expect(status.status).toEqual({ code: 450, description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu', details: [detail] });
    expect((await client.call('POST', '/v2/auth/token/redeem', { token: init.body.authenticationToken.token })).body.exception.exceptionDetailList[0].exceptionCode).toBe(21301);
  });

  it('authorizationPolicy.allowedIps is enforced on every use of the access token (403 ip-not-allowed)', async () => {
    const token = await client.seedToken(NIP);
    const login = async (allowedIps: Record<string, string[]>) => {
      const ch = await challenge();
      const init = await client.call('POST', '/v2/auth/ksef-token', {
        token: null,
        body: { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(`${token}|${ch.timestampMs}`), authorizationPolicy: { allowedIps } },
      });
      await finalAuthStatus(init.body.referenceNumber, init.body.authenticationToken.token);
      return (await client.call('POST', '/v2/auth/token/redeem', { token: init.body.authenticationToken.token })).body.accessToken.token as string;
    };
    const elsewhere = await login({ ip4Addresses: ['10.1.2.3'] });
    const denied = await client.call('GET', '/v2/auth/sessions', { token: elsewhere });
    expect(denied.status).toBe(403);
    expect(denied.body.reasonCode).toBe('ip-not-allowed');
    const here = await login({ ip4Masks: ['127.0.0.0/8'] });
    expect((await client.call('GET', '/v2/auth/sessions', { token: here })).status).toBe(200);
  });

  it('a token of another context gets 415 (no permissions); an unknown publicKeyId is 21470', async () => {
    const token = await client.seedToken('1111111111');
    const ch = await challenge();
    const init = await client.call('POST', '/v2/auth/ksef-token', { token: null, body: { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(`${token}|${ch.timestampMs}`) } });
    expect((await finalAuthStatus(init.body.referenceNumber, init.body.authenticationToken.token)).status.code).toBe(415);
    const ch2 = await challenge();
    const badKey = await client.call('POST', '/v2/auth/ksef-token', { token: null, body: { challenge: ch2.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken: await encryptToken(`${token}|${ch2.timestampMs}`), publicKeyId: 'AAAA' } });
    expect(badKey.body.exception.exceptionDetailList[0].exceptionCode).toBe(21470);
  });

  it('XAdES with a self-signed seal (C14N 1.1 and exclusive C14N): verified, owner gets every permission and can create KSeF tokens', async () => {
    const credentials = selfSignedCertificate({ nip: NIP });
    for (const c14n of ['http://www.w3.org/2006/12/xml-c14n11', EXC_C14N]) {
      const ch = await challenge();
      const signed = signEnveloped(authTokenRequest(ch.challenge, NIP), credentials, c14n);
      const res = await fetch(`${sim.url}/v2/auth/xades-signature`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: signed });
      const body = (await res.json()) as { referenceNumber: string; authenticationToken: { token: string } };
      expect(res.status).toBe(202);
      const status = await finalAuthStatus(body.referenceNumber, body.authenticationToken.token);
      expect(status.status.code).toBe(200);
      expect(status.authenticationMethod).toBe('QualifiedSeal');
      const tokens = await client.call('POST', '/v2/auth/token/redeem', { token: body.authenticationToken.token });
      const x = new DocClient(sim);
      x.accessToken = tokens.body.accessToken.token;
      const created = await x.call('POST', '/v2/tokens', { body: { permissions: ['InvoiceWrite', 'InvoiceRead'], description: 'integration token' } });
      expect(created.status).toBe(202);
      const listed = await x.call('GET', `/v2/tokens/${created.body.referenceNumber}`);
      expect(listed.body).toMatchObject({ status: 'Active', requestedPermissions: ['InvoiceWrite', 'InvoiceRead'] });
      // The new token authenticates.
      const y = new DocClient(sim);
      await y.authenticateWithToken(NIP, created.body.token);
      expect((await x.call('DELETE', `/v2/tokens/${created.body.referenceNumber}`)).status).toBe(204);
    }
  });

  it('XAdES: an AuthorizationPolicy in the signed document restricts the client IP (2.1 namespace)', async () => {
    const credentials = selfSignedCertificate({ nip: NIP });
    const ch = await challenge();
    const signed = signEnveloped(authTokenRequest(ch.challenge, NIP, 'http://ksef.mf.gov.pl/auth/token/2.1', '10.9.9.9'), credentials);
    const init = (await (await fetch(`${sim.url}/v2/auth/xades-signature`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: signed })).json()) as { referenceNumber: string; authenticationToken: { token: string } };
    expect((await finalAuthStatus(init.referenceNumber, init.authenticationToken.token)).status.code).toBe(200);
    const tokens = await client.call('POST', '/v2/auth/token/redeem', { token: init.authenticationToken.token });
    const denied = await client.call('GET', '/v2/auth/sessions', { token: tokens.body.accessToken.token });
    expect(denied.status).toBe(403);
    expect(denied.body.reasonCode).toBe('ip-not-allowed');
  });

  it('XAdES errors: tampered document (9105), unsigned (9102), another NIP without grants (415), expired certificate (460)', async () => {
    const credentials = selfSignedCertificate({ nip: NIP });
    const post = (xml: string) => fetch(`${sim.url}/v2/auth/xades-signature`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    let ch = await challenge();
    const tampered = signEnveloped(authTokenRequest(ch.challenge, NIP), credentials).replace(`<Nip>${NIP}</Nip>`, '<Nip>1111111111</Nip>');
    const t = await post(tampered);
    expect(t.status).toBe(400);
    expect(((await t.json()) as { exception: { exceptionDetailList: { exceptionCode: number }[] } }).exception.exceptionDetailList[0].exceptionCode).toBe(9105);
    const unsigned = await post(authTokenRequest(ch.challenge, NIP));
    expect(((await unsigned.json()) as { exception: { exceptionDetailList: { exceptionCode: number }[] } }).exception.exceptionDetailList[0].exceptionCode).toBe(9102);

    ch = await challenge();
    const other = (await (await post(signEnveloped(authTokenRequest(ch.challenge, '1111111111'), credentials))).json()) as { referenceNumber: string; authenticationToken: { token: string } };
    expect((await finalAuthStatus(other.referenceNumber, other.authenticationToken.token)).status.code).toBe(415);

    ch = await challenge();
    const expiredCert = selfSignedCertificate({ nip: NIP }, 1, -10);
    const expired = (await (await post(signEnveloped(authTokenRequest(ch.challenge, NIP), expiredCert))).json()) as { referenceNumber: string; authenticationToken: { token: string } };
    const status = await finalAuthStatus(expired.referenceNumber, expired.authenticationToken.token);
    expect(status.status).toMatchObject({ code: 460, details: ['Nieważny certyfikat'] });
  });
});
