import { DocClient, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';

describe('rate limits (sliding windows per context and IP, 429 with growing Retry-After)', () => {
  let sim: RunningSimulator;
  let client: DocClient;

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'te' });
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
  });
  afterAll(() => sim.close());

  it('publishes TE limits (10x production) and switches to production, custom and back', async () => {
    const te = await client.call('GET', '/v2/rate-limits');
    expect(te.body.invoiceSend).toEqual({ perSecond: 100, perMinute: 300, perHour: 1800 });
    expect((await client.call('POST', '/v2/testdata/rate-limits/production')).status).toBe(200);
    expect((await client.call('GET', '/v2/rate-limits')).body.invoiceSend).toEqual({ perSecond: 10, perMinute: 30, perHour: 180 });
    const custom = { ...te.body, sessionList: { perSecond: 2, perMinute: 3, perHour: 100 } };
    expect((await client.call('POST', '/v2/testdata/rate-limits', { body: { rateLimits: custom } })).status).toBe(200);
    expect((await client.call('GET', '/v2/rate-limits')).body.sessionList).toEqual({ perSecond: 2, perMinute: 3, perHour: 100 });

    // sessionList: 2/s and 3/min. The third call in a second is refused with the documented 429 body.
    // Simulated time is nearly frozen for the burst, so a slow machine cannot spread it over two windows.
    await client.call('POST', '/admin/clock', { body: { scale: 0.0001 }, token: null });
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = await client.call('GET', '/v2/sessions?sessionType=Online');
      codes.push(last.status);
    }
    expect(codes).toEqual([200, 200, 429]);
    expect(last?.body).toEqual({ status: { code: 429, description: 'Too Many Requests', details: expect.any(Array) } });
    const firstRetry = Number(last?.headers.get('retry-after'));
    expect(firstRetry).toBeGreaterThanOrEqual(1);
    // Ignoring Retry-After lengthens the block.
    const second = await client.call('GET', '/v2/sessions?sessionType=Online');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(firstRetry);
    const problem = await client.call('GET', '/v2/sessions?sessionType=Online', { headers: { 'x-error-format': 'problem-details' } });
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.body.status).toBe(429);
    await client.call('POST', '/admin/clock', { body: { scale: 1 }, token: null });

    // Other groups are counted separately.
    expect((await client.call('GET', '/v2/limits/context')).status).toBe(200);
    expect((await client.call('DELETE', '/v2/testdata/rate-limits')).status).toBe(200);
    expect((await client.call('GET', '/v2/rate-limits')).body.invoiceSend.perSecond).toBe(100);
  });

  it('limits POST /auth/challenge per IP at 60 requests per second', async () => {
    await client.call('POST', '/admin/rate-limits/reset-counters', { token: null });
    // Nearly freeze simulated time so all 61 requests fall into one 1-s window however slow the machine is.
    await client.call('POST', '/admin/clock', { body: { scale: 0.0001 }, token: null });
    const statuses = await Promise.all(Array.from({ length: 61 }, () => client.call('POST', '/v2/auth/challenge', { token: null }).then((r) => r.status)));
    await client.call('POST', '/admin/clock', { body: { scale: 1 }, token: null });
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('frees the per-minute window as simulated time passes (clock control)', async () => {
    await client.call('POST', '/admin/rate-limits/reset-counters', { token: null });
    const te = (await client.call('GET', '/v2/rate-limits')).body;
    await client.call('POST', '/v2/testdata/rate-limits', { body: { rateLimits: { ...te, sessionList: { perSecond: 100, perMinute: 2, perHour: 100 } } } });
    expect((await client.call('GET', '/v2/sessions?sessionType=Online')).status).toBe(200);
    expect((await client.call('GET', '/v2/sessions?sessionType=Online')).status).toBe(200);
    const refused = await client.call('GET', '/v2/sessions?sessionType=Online');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await client.call('POST', '/admin/clock', { body: { advanceMs: (retryAfter + 1) * 1000 }, token: null });
    expect((await client.call('GET', '/v2/sessions?sessionType=Online')).status).toBe(200);
  });
});
