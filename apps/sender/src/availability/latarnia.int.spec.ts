import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, ksefAnnouncementChanged, ksefAvailabilityChanged, type KsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { OutboxWriter } from '@ksef-bridge/outbox';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, startSimulator, testKafkaBrokers, uniqueSuffix, waitFor, type SimulatorProcess, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/sender.config';
import { CircuitBreaker } from '../domain/circuit-breaker';
import { senderAppModule } from '../sender.module';
import type { SenderSettings } from '../sender.settings';
import { LatarniaFeed } from './announced-failures';
import { AvailabilityMonitor } from './availability-monitor';
import { AvailabilityRepository } from './availability.repository';
import type { AvailabilitySettings } from './availability.settings';

// KSeF's announced-failure feed (Latarnia) against the BUILT simulator's /latarnia, real PostgreSQL and Kafka: an
// announcement is reported (endpoint, gauge, and published ONCE as ksef-availability.announcement-changed) while our
// own probe still gets answers, its end too; the failures
// are readable as AnnouncedFailure[]; a feed nobody serves is UNKNOWN, never AVAILABLE.
jest.setTimeout(120_000);

type View = { state: string; announced: KsefAvailabilityChanged['announced'] | null; history: Array<{ state: string; previousState: string | null; detail: string; announced: unknown }> };

describe('Latarnia in the sender', () => {
  let sim: SimulatorProcess;
  let db: TestDatabase;
  let service: RunningService;
  let runner: KafkaConsumerRunner;
  const messages: ReceivedMessage[] = [];
  const topic = randomTopic('ksef-availability');
  const announcementTopic = randomTopic('ksef-announcement');
  const brokers = testKafkaBrokers();
  const client = createKafka({ brokers, clientId: 'latarnia-test' });
  const availability: AvailabilitySettings = { probeIntervalMs: 200, probeTimeoutMs: 2_000, tickMs: 100, degradedAfterMs: 400, confirmMs: 1_500, recoverMs: 800 };

  const events = () => messages.filter((m) => m.topic === topic).map((m) => ksefAvailabilityChanged.parse(m.envelope).payload).filter((p) => p.endpoint === sim.apiBaseUrl);
  const announcements = () => messages.filter((m) => m.topic === announcementTopic).map((m) => ksefAnnouncementChanged.parse(m.envelope).payload).filter((p) => p.endpoint === sim.apiBaseUrl);
  const view = async () => (await (await fetch(`${service.url}/v1/ksef/availability`)).json()) as View;
  const gauge = async () => {
    const line = (await (await fetch(`${service.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`ksef_latarnia_status{endpoint="${sim.apiBaseUrl}"`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.origin}/admin/${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as { id: string; eventId: number });
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await admin('DELETE', 'latarnia/messages');
    db = await createTestDatabase('sender_latarnia');
    const testConfig = { ...config, KAFKA_BROKERS: brokers, PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
    const settings: SenderSettings = {
      schema: platform.schema,
      topics: { invoiceValidated: randomTopic('iv'), invoiceSubmitted: randomTopic('is'), invoiceRejected: randomTopic('ir'), invoiceEscalated: randomTopic('ie') },
      consumerGroupPrefix: `${uniqueSuffix(8)}.`,
      ksef: { baseUrl: sim.apiBaseUrl, rateLimits: 'off', timeoutMs: 5_000 },
      intake: { url: 'http://127.0.0.1:9', timeoutMs: 1_000 },
      internalApi: { token: randomBytes(16).toString('hex'), requireToken: true },
      masterKey: randomBytes(32),
      previousMasterKeys: [],
      retry: { delaysMs: [300], multiplier: 2, maxDelayMs: 2_000, jitter: 0, maxAttempts: 6 },
      scheduler: { pollIntervalMs: 200, batchSize: 20, leaseMs: 30_000, contextsPerRound: 4 },
      sessionMaxInvoices: 10_000,
      sessionIdleCloseMs: 600_000,
      breaker: { failures: 5, openMs: 30_000 },
      batch: { backlogThreshold: 0, queueAgeMs: 0, maxInvoices: 1_000, maxBytes: 50_000_000 },
      availability: { ...availability, latarniaUrl: `${sim.origin}/latarnia` },
      availabilityTopic: topic,
      availabilityAnnouncementTopic: announcementTopic,
    };
    service = await bootstrapService({
      serviceName: 'sender',
      module: senderAppModule({ ...platform, config: testConfig }, settings),
      http: { port: 0, host: '127.0.0.1' },
      telemetry: startTelemetry({ serviceName: 'sender-test', enabled: false }),
      signals: [],
      logger: createLogger({ serviceName: 'sender', level: 'warn' }),
    });
    runner = new KafkaConsumerRunner(client, { groupId: randomGroup('latarnia'), topics: [topic, announcementTopic], fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await service?.close();
    await new TopicAdmin(client).deleteTopics([topic, deadLetterTopic(topic), announcementTopic, deadLetterTopic(announcementTopic)]).catch(() => undefined);
    await db?.drop();
    await sim?.stop();
  });

  it('reports an announced failure while KSeF still answers, with its id, title and start, and its end', async () => {
    await waitFor(async () => (await view()).announced?.status === 'AVAILABLE', { timeoutMs: 20_000, what: 'first observation with Latarnia AVAILABLE' });
    expect((await view()).state).toBe('AVAILABLE');
    expect(await gauge()).toBe(0);

    const start = new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const published = (await admin('POST', 'latarnia/messages', { category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', text: 'Trwa awaria systemu.', start }))!;
    await waitFor(async () => (await view()).announced?.status === 'FAILURE', { timeoutMs: 20_000, what: 'announced FAILURE' });
    const during = await view();
    // Our probe still gets answers: the observed state stays, the announcement is reported next to it.
    expect(during.state).toBe('AVAILABLE');
    expect(during.announced).toMatchObject({ status: 'FAILURE', messageId: String(published.id), eventId: published.eventId, title: 'Awaria KSeF' });
    expect(Date.parse(during.announced!.start!)).toBe(Date.parse(start));
    expect(await gauge()).toBe(2);
    expect(during.history[0]).toMatchObject({ state: 'AVAILABLE', previousState: 'AVAILABLE', detail: expect.stringContaining('Awaria KSeF'), announced: { status: 'FAILURE' } });

    const feed = service.app.get(LatarniaFeed);
    expect(feed.announcedFailures()).toEqual([{ start: new Date(start) }]);

    const end = new Date().toISOString();
    await admin('POST', `latarnia/messages/${published.id}/end`, { end });
    await waitFor(async () => (await view()).announced?.status === 'AVAILABLE', { timeoutMs: 20_000, what: 'announced AVAILABLE again' });
    expect(feed.announcedFailures()).toEqual([{ start: new Date(start), end: new Date(end) }]);
    expect((await view()).history.map((h) => [h.state, (h.announced as { status: string }).status])).toEqual([
      ['AVAILABLE', 'AVAILABLE'],
      ['AVAILABLE', 'FAILURE'],
      ['AVAILABLE', 'AVAILABLE'],
    ]);
    expect(await gauge()).toBe(0);
    // Announcement-only changes are published ONCE each, as their own type (the state event stays "from !== to").
    await waitFor(async () => announcements().length >= 2, { timeoutMs: 10_000, what: 'two announcement-changed events' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events().map((e) => `${e.from}->${e.to}:${e.announced?.status}`)).toEqual(['null->AVAILABLE:AVAILABLE']);
    const [announcedFailure, announcedEnd, ...more] = announcements();
    expect(more).toEqual([]);
    expect(announcedFailure).toMatchObject({ state: 'AVAILABLE', previous: { status: 'AVAILABLE' }, announced: { status: 'FAILURE', messageId: String(published.id), eventId: published.eventId, title: 'Awaria KSeF' }, detail: expect.stringContaining('Awaria KSeF') });
    expect(Date.parse(announcedFailure.announced.start!)).toBe(Date.parse(start));
    expect(announcedEnd).toMatchObject({ state: 'AVAILABLE', previous: { status: 'FAILURE', messageId: String(published.id) }, announced: { status: 'AVAILABLE' } });
    expect(new Set(announcements().map((a) => a.changeId)).size).toBe(2);
  });

  it('an outage KSeF announces: UNAVAILABLE with the announced FAILURE on the event, and back', async () => {
    await admin('POST', 'faults', { type: 'outage', durationMs: 3_600_000, announce: 'FAILURE' });
    await waitFor(async () => (await view()).state === 'UNAVAILABLE', { timeoutMs: 20_000, what: 'UNAVAILABLE' });
    await waitFor(async () => events().some((e) => e.to === 'UNAVAILABLE'), { timeoutMs: 10_000, what: 'the UNAVAILABLE event' });
    expect(events().find((e) => e.to === 'UNAVAILABLE')?.announced).toMatchObject({ status: 'FAILURE', messageId: expect.any(String), start: expect.any(String) });
    await admin('POST', 'faults/reset', {});
    await waitFor(async () => events().some((e) => e.from === 'UNAVAILABLE' && e.to === 'AVAILABLE'), { timeoutMs: 20_000, what: 'the AVAILABLE event' });
    // The reset ends the announced failure too: the recovery reports the feed AVAILABLE (or the end arrives as history).
    await waitFor(async () => (await view()).announced?.status === 'AVAILABLE', { timeoutMs: 10_000, what: 'announced AVAILABLE' });
    expect(service.app.get(LatarniaFeed).announcedFailures().at(-1)?.end).toBeInstanceOf(Date);
  });

  it('a feed nobody serves is UNKNOWN, never AVAILABLE (an instance of its own, on its own endpoint key)', async () => {
    const ds = service.app.get(DataSource);
    const endpoint = `${sim.apiBaseUrl}/`;
    const feed = new LatarniaFeed('http://127.0.0.1:9/latarnia', 1_000, 60_000);
    const monitor = new AvailabilityMonitor(ds, service.app.get(AvailabilityRepository), service.app.get(OutboxWriter), new CircuitBreaker(5, 30_000), availability, endpoint, { state: topic, announcement: announcementTopic }, createLogger({ serviceName: 'sender', level: 'error' }), feed);
    await monitor.tick();
    const [row] = (await ds.query(`SELECT state, announced_status FROM sender.ksef_availability WHERE endpoint = $1 AND ended_at IS NULL`, [endpoint])) as Array<{ state: string; announced_status: string }>;
    expect(row).toEqual({ state: 'AVAILABLE', announced_status: 'UNKNOWN' });
    expect(feed.announcedFailures()).toEqual([]);
  });
});
