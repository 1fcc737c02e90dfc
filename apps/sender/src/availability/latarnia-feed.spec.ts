import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announcedFailuresOf, announcedMaintenanceOf, LatarniaFeed } from './announced-failures';
import { announcementInForce, parseLatarnia, readLatarnia, type LatarniaReading } from './latarnia-feed';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const msg = (over: Record<string, unknown>) => ({ id: 'm1', eventId: 1, category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', text: 'Trwa awaria.', start: '2026-11-25T11:00:00Z', version: 1, published: '2026-11-25T11:01:00Z', ...over });

describe('Latarnia feed', () => {
  it('parses the status and names the most severe announcement in force (newest version of each event)', () => {
    const messages = [
      msg({}),
      msg({ id: 'm2', eventId: 2, category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Prace', start: '2026-11-25T10:00:00Z', end: '2026-11-25T14:00:00Z' }),
      // An older failure, ended: not in force.
      msg({ id: 'm3', eventId: 3, start: '2026-11-20T08:00:00Z' }),
      msg({ id: 'm4', eventId: 3, type: 'FAILURE_END', start: '2026-11-20T08:00:00Z', end: '2026-11-20T10:00:00Z', version: 2 }),
    ];
    const reading = parseLatarnia({ status: 'FAILURE', messages: [messages[0]] }, messages, NOW);
    expect(reading).toMatchObject({ ok: true, status: 'FAILURE', skipped: 0, announcement: { messageId: 'm1', eventId: 1, category: 'FAILURE', title: 'Awaria KSeF', start: '2026-11-25T11:00:00Z' } });
    expect(reading.ok && reading.messages).toHaveLength(4);
    // Without the failure, the maintenance window in force is the announcement; after its end, nothing is.
    const rest = parseLatarnia({ status: 'MAINTENANCE' }, messages.slice(1), NOW);
    if (!rest.ok) throw new Error('unreadable');
    expect(announcementInForce(rest.messages, NOW)).toMatchObject({ category: 'MAINTENANCE', end: '2026-11-25T14:00:00Z' });
    expect(announcementInForce(rest.messages, Date.parse('2026-11-25T14:00:00Z'))).toBeUndefined();
  });

  it('an unknown or missing status is unreadable, never AVAILABLE; odd messages are skipped and counted', () => {
    expect(parseLatarnia({ status: 'PROBABLY_FINE' }, [], NOW)).toMatchObject({ ok: false, detail: expect.stringContaining('GET /status') });
    expect(parseLatarnia({}, [], NOW).ok).toBe(false);
    expect(parseLatarnia('<html>', [], NOW).ok).toBe(false);
    expect(parseLatarnia({ status: 'AVAILABLE' }, { messages: [] }, NOW)).toMatchObject({ ok: false, detail: 'GET /messages: not a list' });
    expect(parseLatarnia({ status: 'AVAILABLE' }, [msg({}), { id: 'x' }, msg({ id: 'm9', start: 'yesterday' })], NOW)).toMatchObject({ ok: true, status: 'AVAILABLE', skipped: 2 });
  });

  it('announced failures for offline deadlines: one per event, end only from FAILURE_END, maintenance apart', () => {
    const reading = parseLatarnia(
      { status: 'FAILURE' },
      [
        msg({ id: 'a1', eventId: 10, start: '2026-11-24T09:00:00Z', end: '2026-11-24T18:00:00Z' }),
        msg({ id: 'a2', eventId: 10, type: 'FAILURE_END', start: '2026-11-24T09:00:00Z', end: '2026-11-24T12:30:00Z', version: 2 }),
        // Ongoing, with a planned end only: no end yet.
        msg({ id: 'b1', eventId: 11, category: 'TOTAL_FAILURE', start: '2026-11-25T11:30:00Z', end: '2026-11-25T20:00:00Z' }),
        msg({ id: 'c1', eventId: 12, category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', start: '2026-11-26T20:00:00Z', end: '2026-11-26T22:00:00Z' }),
      ],
      NOW,
    );
    if (!reading.ok) throw new Error('unreadable');
    expect(announcedFailuresOf(reading.messages)).toEqual([
      { start: new Date('2026-11-24T09:00:00Z'), end: new Date('2026-11-24T12:30:00Z') },
      { start: new Date('2026-11-25T11:30:00Z') },
    ]);
    expect(announcedMaintenanceOf(reading.messages)).toEqual([{ start: new Date('2026-11-26T20:00:00Z'), end: new Date('2026-11-26T22:00:00Z') }]);
    expect(reading.announcement).toMatchObject({ category: 'TOTAL_FAILURE', messageId: 'b1' });
  });

  it('LatarniaFeed: UNKNOWN before a good read and after failing for unknownAfterMs; keeps the last failures meanwhile', async () => {
    const readings: LatarniaReading[] = [];
    const feed = new LatarniaFeed('http://latarnia', 1_000, 60_000, async () => readings.shift() as LatarniaReading);
    expect(feed.state(NOW)).toMatchObject({ status: 'UNKNOWN' });
    expect(feed.announcedFailures()).toEqual([]);
    readings.push(parseLatarnia({ status: 'FAILURE' }, [msg({})], NOW));
    await feed.refresh();
    expect(feed.state(NOW)).toMatchObject({ status: 'FAILURE', announcement: { messageId: 'm1' } });
    readings.push({ ok: false, at: NOW + 1_000, detail: 'GET /status: ECONNREFUSED' });
    await feed.refresh();
    expect(feed.state(NOW + 60_999).status).toBe('FAILURE');
    expect(feed.state(NOW + 61_000)).toEqual({ status: 'UNKNOWN', detail: 'Latarnia unreadable: GET /status: ECONNREFUSED' });
    expect(feed.announcedFailures()).toEqual([{ start: new Date('2026-11-25T11:00:00Z') }]);
    expect(feed.lastReadAt).toBe(NOW);
  });

  describe('readLatarnia over HTTP', () => {
    let server: Server;
    let url: string;
    let answers: Record<string, { status: number; body: string }> = {};
    beforeAll(async () => {
      server = createServer((req, res) => {
        const a = answers[req.url ?? ''] ?? { status: 404, body: '' };
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/latarnia/`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('reads /status and /messages below the base URL', async () => {
      answers = { '/latarnia/status': { status: 200, body: JSON.stringify({ status: 'MAINTENANCE' }) }, '/latarnia/messages': { status: 200, body: JSON.stringify([msg({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', end: '2099-01-01T00:00:00Z' })]) } };
      expect(await readLatarnia(url, 1_000)).toMatchObject({ ok: true, status: 'MAINTENANCE', announcement: { category: 'MAINTENANCE' } });
    });

    it('a 5xx, a body that is not JSON, or nobody listening is unreadable', async () => {
      answers = { '/latarnia/status': { status: 503, body: '' } };
      expect(await readLatarnia(url, 1_000)).toMatchObject({ ok: false, detail: 'GET /status: HTTP 503' });
      answers = { '/latarnia/status': { status: 200, body: JSON.stringify({ status: 'AVAILABLE' }) }, '/latarnia/messages': { status: 200, body: 'oops' } };
      expect(await readLatarnia(url, 1_000)).toMatchObject({ ok: false, detail: 'GET /messages: not JSON' });
      expect(await readLatarnia('http://127.0.0.1:9/latarnia', 1_000)).toMatchObject({ ok: false, detail: expect.stringMatching(/^GET \/status: /) });
    });
  });
});
