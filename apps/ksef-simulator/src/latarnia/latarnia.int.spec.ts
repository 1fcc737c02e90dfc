import { DocClient, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

type Message = { id: string; eventId: number; category: string; type: string; title: string; text: string; start: string; end?: string; version: number; published: string };

describe('Latarnia feed (/latarnia) and its admin API', () => {
  let sim: RunningSimulator;
  let client: DocClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new DocClient(sim);
  });
  afterEach(async () => {
    await client.call('POST', '/admin/faults/reset', { body: { seed: 7 }, token: null });
    expect((await client.call('DELETE', '/admin/latarnia/messages', { token: null })).status).toBe(204);
  });
  afterAll(() => sim.close());

  const get = (path: string) => client.call('GET', `/latarnia${path}`, { token: null });
  const publish = (body: Record<string, unknown>) => client.call('POST', '/admin/latarnia/messages', { body, token: null });
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const failure = (over: Record<string, unknown> = {}) => ({ category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', text: 'Trwa awaria.', start: iso(-60_000), ...over });

  it('is AVAILABLE with an empty feed, without a token', async () => {
    expect(await get('/status')).toMatchObject({ status: 200, body: { status: 'AVAILABLE' } });
    expect((await get('/status')).body).not.toHaveProperty('messages');
    expect(await get('/messages')).toMatchObject({ status: 200, body: [] });
  });

  it('an announced failure is FAILURE until its FAILURE_END, which is a new version of the same event', async () => {
    const created = await publish(failure());
    expect(created.status).toBe(201);
    const start = created.body as Message;
    expect(start).toMatchObject({ category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', text: 'Trwa awaria.', version: 1 });
    expect(start.id).toEqual(expect.any(String));
    expect(start.eventId).toEqual(expect.any(Number));
    expect(Date.parse(start.published)).toBeGreaterThan(Date.now() - 10_000);
    expect(start).not.toHaveProperty('end');

    expect((await get('/status')).body).toEqual({ status: 'FAILURE', messages: [start] });

    const ended = await client.call('POST', `/admin/latarnia/messages/${start.id}/end`, { body: { end: iso(-1_000) }, token: null });
    expect(ended.status).toBe(201);
    const end = ended.body as Message;
    expect(end).toMatchObject({ eventId: start.eventId, category: 'FAILURE', type: 'FAILURE_END', version: 2, start: start.start, title: start.title });
    expect(end.id).not.toBe(start.id);
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
    // The feed keeps every publication, newest first.
    expect((await get('/messages')).body).toEqual([end, start]);
    // Ending twice is a conflict, not a third version.
    expect((await client.call('POST', `/admin/latarnia/messages/${start.id}/end`, { body: {}, token: null })).status).toBe(409);
  });

  it('the most severe announcement in force decides; future maintenance is not in force yet', async () => {
    await publish({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Prace serwisowe', text: 'Przerwa techniczna.', start: iso(3_600_000), end: iso(7_200_000) });
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
    const now = await publish({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Prace teraz', text: 'Przerwa.', start: iso(-1_000), end: iso(3_600_000) });
    expect((await get('/status')).body).toMatchObject({ status: 'MAINTENANCE', messages: [{ id: (now.body as Message).id }] });
    await publish(failure());
    await publish(failure({ category: 'TOTAL_FAILURE', title: 'Awaria całkowita' }));
    const status = (await get('/status')).body as { status: string; messages: Message[] };
    expect(status.status).toBe('TOTAL_FAILURE');
    expect(status.messages.map((m) => m.category)).toEqual(['TOTAL_FAILURE', 'FAILURE', 'MAINTENANCE']);
    expect(((await get('/messages')).body as Message[]).length).toBe(4);
  });

  it('follows the simulated clock: a maintenance window ends when its end passes', async () => {
    await publish({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Okno', text: 'Przerwa.', start: iso(-1_000), end: iso(600_000) });
    expect((await get('/status')).body).toMatchObject({ status: 'MAINTENANCE' });
    await client.call('POST', '/admin/clock', { body: { advanceMs: 700_000 }, token: null });
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
  });

  it('publishes a new version of an event by eventId and refuses bad announcements with clear 400s', async () => {
    const start = (await publish(failure())).body as Message;
    const update = await publish(failure({ eventId: start.eventId, text: 'Nowe informacje.' }));
    expect(update).toMatchObject({ status: 201, body: { eventId: start.eventId, version: 2, text: 'Nowe informacje.' } });

    const cases: [Record<string, unknown>, RegExp][] = [
      [failure({ category: 'OUTAGE' }), /category/],
      [failure({ type: 'MAINTENANCE_ANNOUNCEMENT' }), /does not fit category FAILURE/],
      [{ ...failure(), title: undefined }, /title/],
      [failure({ text: '  ' }), /text/],
      [failure({ start: 'yesterday' }), /start/],
      [failure({ end: iso(-120_000) }), /end: must not be before start/],
      [failure({ type: 'FAILURE_END', end: iso(0) }), /eventId/],
      [failure({ eventId: start.eventId, category: 'TOTAL_FAILURE' }), /keeps its category/],
      [failure({ eventId: start.eventId, type: 'FAILURE_END' }), /end: required for FAILURE_END/],
      [failure({ surprise: true }), /surprise|Unrecognized/],
    ];
    for (const [body, message] of cases) {
      const res = await publish(body);
      expect(res.status).toBe(400);
      expect((res.body as { issues: string[] }).issues.join(' ')).toMatch(message);
    }
    expect((await publish(failure({ eventId: 999_999 }))).status).toBe(404);
    expect((await client.call('POST', '/admin/latarnia/messages/nope/end', { body: {}, token: null })).status).toBe(404);
    // Nothing refused was stored.
    expect(((await get('/messages')).body as Message[]).map((m) => m.version)).toEqual([2, 1]);
  });

  it('survives a restart (PostgreSQL)', async () => {
    const start = (await publish(failure())).body as Message;
    await sim.restart();
    expect((await get('/status')).body).toEqual({ status: 'FAILURE', messages: [start] });
  });

  it('an outage fault announces itself only when asked, and its failure ends with the fault', async () => {
    const silent = await client.call('POST', '/admin/faults', { body: { type: 'outage', durationMs: 60_000 }, token: null });
    expect(silent.status).toBe(201);
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
    // The feed is not KSeF: it stays up during an outage.
    expect((await client.call('GET', '/v2/security/public-key-certificates', { token: null })).status).toBe(503);
    await client.call('DELETE', `/admin/faults/${(silent.body as { id: string }).id}`, { token: null });

    expect((await client.call('POST', '/admin/faults', { body: { type: 'slow', announce: 'FAILURE' }, token: null })).status).toBe(400);
    const announced = await client.call('POST', '/admin/faults', { body: { type: 'outage', durationMs: 60_000, announce: 'TOTAL_FAILURE' }, token: null });
    expect(announced).toMatchObject({ status: 201, body: { announce: 'TOTAL_FAILURE' } });
    const status = (await get('/status')).body as { status: string; messages: Message[] };
    expect(status).toMatchObject({ status: 'TOTAL_FAILURE', messages: [{ type: 'FAILURE_START', category: 'TOTAL_FAILURE', version: 1 }] });
    expect(status.messages[0].end).toEqual(expect.any(String));

    // When the fault's window passes, the next read publishes the FAILURE_END at the fault's end.
    await client.call('POST', '/admin/clock', { body: { advanceMs: 61_000 }, token: null });
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
    const messages = (await get('/messages')).body as Message[];
    expect(messages.map((m) => [m.type, m.version])).toEqual([['FAILURE_END', 2], ['FAILURE_START', 1]]);
    expect(messages[0].end).toBe(messages[1].end);

    // Removing an announced outage early ends its failure at once.
    const early = await client.call('POST', '/admin/faults', { body: { type: 'outage', announce: 'FAILURE' }, token: null });
    expect((await get('/status')).body).toMatchObject({ status: 'FAILURE' });
    expect((await client.call('DELETE', `/admin/faults/${(early.body as { id: string }).id}`, { token: null })).status).toBe(204);
    expect((await get('/status')).body).toEqual({ status: 'AVAILABLE' });
    expect(((await get('/messages')).body as Message[])[0]).toMatchObject({ type: 'FAILURE_END', category: 'FAILURE' });
  });
});

describe('Latarnia outside test mode', () => {
  it('serves the public feed, but not its admin API, in production mode without SIM_ADMIN_ENABLED', async () => {
    const sim = await startSimulator({ mode: 'production', adminEnabled: false });
    try {
      expect(await (await fetch(`${sim.url}/latarnia/status`)).json()).toEqual({ status: 'AVAILABLE' });
      expect((await fetch(`${sim.url}/latarnia/messages`)).status).toBe(200);
      const res = await fetch(`${sim.url}/admin/latarnia/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ category: 'FAILURE', type: 'FAILURE_START', title: 't', text: 't', start: new Date().toISOString() }) });
      expect(res.status).toBe(404);
      expect((await fetch(`${sim.url}/admin/latarnia/messages`, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
