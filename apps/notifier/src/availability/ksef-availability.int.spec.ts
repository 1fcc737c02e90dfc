import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, ksefAnnouncementChanged, ksefAvailabilityChanged, notificationKsefAnnouncementChanged, notificationKsefAvailabilityChanged, type KsefAnnouncementChanged, type KsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { randomGroup, randomTopic, waitFor } from '@ksef-bridge/testing';
import { platform } from '../config/notifier.config';
import { notifierAppModule } from '../notifier.module';
import { webhookSecretCipher, type NotifierSettings } from '../notifier.settings';
import { createWorld, dropWorld, type NotifierWorld } from '../test/notifier-harness';
import { WebhookReceiver } from '../test/webhook-receiver';
import { runWebhookCommand } from '../webhooks/webhook-commands';
import { availabilitySubscriptionMigrations } from './availability-subscriptions.migration';

// Real Kafka and PostgreSQL: each KSeF availability transition of the sender becomes exactly ONE public event and ONE
// webhook per subscribed tenant, however often the transition is delivered or re-emitted; unsubscribed tenants get
// nothing; the webhook carries the customer texts. An announcement-only change (the Ministry's Latarnia feed changed,
// our observation did not) reaches tenants the same way, once, as notification.ksef-announcement-changed.
jest.setTimeout(120_000);

describe('KSeF availability (notifier)', () => {
  let world: NotifierWorld;
  let service: RunningService;
  let dataSource: DataSource;
  let receiver: WebhookReceiver;
  let publisher: KafkaPublisher;
  let runner: KafkaConsumerRunner;
  const published: ReceivedMessage[] = [];
  const topics = { source: randomTopic('ksef-availability'), public: randomTopic('n-ksef-availability'), announcementSource: randomTopic('ksef-announcement'), announcementPublic: randomTopic('n-ksef-announcement') };
  const logger = createLogger({ serviceName: 'notifier-cli', level: 'warn' });

  const register = async (tenant: string, path: string, events?: string) => {
    const lines: Array<Record<string, unknown>> = [];
    await runWebhookCommand('register-webhook', ['--tenant', tenant, '--url', receiver.on(path, () => ({ status: 204 })), ...(events ? ['--events', events] : [])], { platform: world.platform, cipher: webhookSecretCipher(world.masterKey), production: false, logger, print: (l) => lines.push(l) });
    return lines[0];
  };
  const transition = (p: Partial<KsefAvailabilityChanged>): KsefAvailabilityChanged => ({ transitionId: randomUUID(), endpoint: 'https://api-test.ksef.mf.gov.pl/v2', from: 'DEGRADED', to: 'UNAVAILABLE', since: '2026-11-25T13:05:00.000Z', cause: 'HEALTH_PROBE_FAILED', detail: 'GET /security/public-key-certificates: HTTP 503', ...p });
  const envelopeOf = (payload: KsefAvailabilityChanged, id?: string) => newEnvelope({ id, type: ksefAvailabilityChanged.type, version: 1, aggregateId: payload.endpoint, tenant: '*', payload });

  beforeAll(async () => {
    world = await createWorld();
    const settings: NotifierSettings = {
      schema: platform.schema,
      topics: world.topics,
      consumerGroupPrefix: world.groupPrefix,
      production: false,
      masterKey: world.masterKey,
      previousMasterKeys: [],
      retry: { baseDelayMs: 200, maxDelayMs: 2_000, jitter: 0, maxAttempts: 4 },
      delivery: { timeoutMs: 2_000, upoInlineMaxBytes: 65_536 },
      scheduler: { pollIntervalMs: 50, batchSize: 10, leaseMs: 30_000 },
      availabilityTopics: topics,
    };
    service = await bootstrapService({
      serviceName: 'notifier',
      module: notifierAppModule(world.platform, settings),
      http: { port: 0, host: '127.0.0.1' },
      telemetry: startTelemetry({ serviceName: 'notifier-test', enabled: false }),
      signals: [],
      logger: createLogger({ serviceName: 'notifier', level: 'warn' }),
    });
    dataSource = service.app.get(DataSource);
    receiver = await new WebhookReceiver().start();
    const client = createKafka({ brokers: world.platform.config.KAFKA_BROKERS, clientId: 'notifier-availability-test' });
    publisher = new KafkaPublisher(client);
    runner = new KafkaConsumerRunner(client, { groupId: randomGroup('collector'), topics: [topics.public, topics.announcementPublic], fromBeginning: true, handler: async (batch) => void published.push(...batch) });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await publisher?.disconnect();
    await service?.close();
    await receiver?.close();
    const client = createKafka({ brokers: world.platform.config.KAFKA_BROKERS, clientId: 'notifier-availability-admin' });
    await new TopicAdmin(client).deleteTopics(Object.values(topics).flatMap((t) => [t, deadLetterTopic(t)])).catch(() => undefined);
    await dropWorld(world);
  });

  it('one public event per transition and one webhook per subscribed tenant, deduplicated on the transition; none for the first AVAILABLE', async () => {
    await register('tenant-all', '/all');
    await register('tenant-only', '/only', 'ksef-availability-changed');
    await register('tenant-invoices', '/invoices', 'accepted,rejected');

    const boot = transition({ from: null, to: 'AVAILABLE', cause: 'FIRST_OBSERVATION', detail: 'KSeF answers' });
    await publisher.publish(topics.source, envelopeOf(boot));
    const down = transition({ announced: { status: 'FAILURE', messageId: '17', eventId: 4, title: 'Awaria KSeF', start: '2026-11-25T13:00:00Z' } });
    const first = envelopeOf(down);
    await publisher.publish(topics.source, first);
    await publisher.publish(topics.source, first); // redelivery: the inbox
    await publisher.publish(topics.source, envelopeOf(down)); // the same transition re-emitted under a new id: the dedupe key
    const up = transition({ from: 'UNAVAILABLE', to: 'AVAILABLE', since: '2026-11-25T14:00:00.000Z', cause: 'RECOVERED', detail: 'KSeF answers' });
    await publisher.publish(topics.source, envelopeOf(up));

    await waitFor(async () => published.length >= 3 && receiver.at('/all').length >= 2 && receiver.at('/only').length >= 2, { timeoutMs: 30_000, what: 'events and webhooks' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const events = published.filter((m) => m.topic === topics.public).map((m) => notificationKsefAvailabilityChanged.parse(m.envelope));
    expect(events.map((e) => [e.tenant, e.payload.transitionId, e.payload.to])).toEqual([
      ['*', boot.transitionId, 'AVAILABLE'],
      ['*', down.transitionId, 'UNAVAILABLE'],
      ['*', up.transitionId, 'AVAILABLE'],
    ]);
    expect(events[1].payload.customerMessages.pl.subject).toBe('Niedostępność KSeF od 25 listopada 2026 14:05 (czasu polskiego): faktury wystawiamy bez przerwy');
    expect(events[1].payload.meaning).toMatch(/queued/);
    // What the Ministry announced rides along, with the mode that follows.
    expect(events[1].payload.customerMessages.pl.body).toContain('Ministerstwo Finansów ogłosiło awarię KSeF „Awaria KSeF” od 25 listopada 2026 14:00 (czasu polskiego). Obowiązuje tryb awaryjny');

    for (const [path, tenant] of [['/all', 'tenant-all'], ['/only', 'tenant-only']]) {
      const bodies = receiver.at(path).map((r) => JSON.parse(r.body) as { type: string; tenant: string; invoiceId?: string; payload: { transitionId: string; to: string; customerMessages: { en: { subject: string } } } });
      expect(bodies.map((b) => [b.type, b.tenant, b.payload.transitionId])).toEqual([
        ['notification.ksef-availability-changed', tenant, down.transitionId],
        ['notification.ksef-availability-changed', tenant, up.transitionId],
      ]);
      expect(bodies[0].invoiceId).toBeUndefined();
      expect(bodies[1].payload.customerMessages.en.subject).toBe('KSeF working again since 25 November 2026 at 15:00 (Warsaw time)');
    }
    expect(receiver.at('/invoices')).toHaveLength(0);
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM notifier.webhook_deliveries WHERE state = 'DELIVERED'`)) as Array<{ n: number }>;
    expect(n).toBe(4);
  });

  it('a subscription to every type made before this event existed gets it; a chosen subset does not', async () => {
    const old = ['notification.invoice-accepted', 'notification.invoice-rejected', 'notification.invoice-escalated', 'notification.invoice-upo-available'];
    const all = await register('tenant-old-all', '/old-all', 'accepted,rejected,escalated,upo-available');
    const some = await register('tenant-old-some', '/old-some', 'accepted');
    const types = async (id: unknown) => ((await dataSource.query(`SELECT event_types FROM notifier.webhook_subscriptions WHERE id = $1`, [id])) as Array<{ event_types: string[] }>)[0].event_types;
    expect(await types(all['subscriptionId'])).toEqual(old);
    const [Migration, AnnouncementMigration] = availabilitySubscriptionMigrations(platform.schema);
    const runner = dataSource.createQueryRunner();
    try {
      await new Migration().up(runner);
      expect(await types(all['subscriptionId'])).toEqual([...old, 'notification.ksef-availability-changed']);
      // Whoever asked for KSeF availability hears of the Ministry's announcements too (they decide the legal mode).
      await new AnnouncementMigration().up(runner);
      await new AnnouncementMigration().up(runner);
    } finally {
      await runner.release();
    }
    expect(await types(all['subscriptionId'])).toEqual([...old, 'notification.ksef-availability-changed', 'notification.ksef-announcement-changed']);
    expect(await types(some['subscriptionId'])).toEqual(['notification.invoice-accepted']);
  });

  it('an announcement-only change: one public event and one webhook per tenant subscribed to it, however often delivered', async () => {
    await register('tenant-announce', '/announce', 'ksef-announcement-changed');
    const change = (p: Partial<KsefAnnouncementChanged>): KsefAnnouncementChanged => ({ changeId: randomUUID(), endpoint: 'https://api-test.ksef.mf.gov.pl/v2', state: 'AVAILABLE', since: '2026-11-25T13:01:00.000Z', previous: { status: 'AVAILABLE' }, announced: { status: 'AVAILABLE' }, detail: 'Latarnia: AVAILABLE', ...p });
    const envelope = (payload: KsefAnnouncementChanged) => newEnvelope({ type: ksefAnnouncementChanged.type, version: 1, aggregateId: payload.endpoint, tenant: '*', payload });
    // The feed read for the first time, nothing announced: on Kafka only.
    const firstRead = change({ previous: null });
    await publisher.publish(topics.announcementSource, envelope(firstRead));
    const failure = change({ announced: { status: 'FAILURE', messageId: '17', eventId: 4, title: 'Awaria KSeF', start: '2026-11-25T13:00:00Z' }, detail: 'Latarnia: FAILURE "Awaria KSeF" from 2026-11-25T13:00:00Z' });
    const first = envelope(failure);
    await publisher.publish(topics.announcementSource, first);
    await publisher.publish(topics.announcementSource, first); // redelivery: the inbox
    await publisher.publish(topics.announcementSource, envelope(failure)); // re-emitted under a new id: the dedupe key

    const announcementsAt = (path: string) => receiver.at(path).map((r) => JSON.parse(r.body) as { type: string; tenant: string; invoiceId?: string; payload: { changeId: string; mode: string; customerMessages: { pl: { subject: string; body: string } } } }).filter((b) => b.type === 'notification.ksef-announcement-changed');
    await waitFor(async () => published.filter((m) => m.topic === topics.announcementPublic).length >= 2 && announcementsAt('/all').length >= 1 && announcementsAt('/announce').length >= 1 && announcementsAt('/old-all').length >= 1 && announcementsAt('/only').length >= 1, { timeoutMs: 30_000, what: 'announcement events and webhooks' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const events = published.filter((m) => m.topic === topics.announcementPublic).map((m) => notificationKsefAnnouncementChanged.parse(m.envelope));
    expect(events.map((e) => [e.tenant, e.payload.changeId, e.payload.announced.status, e.payload.mode])).toEqual([
      ['*', firstRead.changeId, 'AVAILABLE', 'NONE'],
      ['*', failure.changeId, 'FAILURE', 'EMERGENCY'],
    ]);
    // tenant-only and tenant-old-all subscribed to availability before the announcement migration ran (test above).
    for (const [path, tenant] of [['/all', 'tenant-all'], ['/announce', 'tenant-announce'], ['/old-all', 'tenant-old-all'], ['/only', 'tenant-only']]) {
      const bodies = announcementsAt(path);
      expect(bodies.map((b) => [b.tenant, b.payload.changeId, b.payload.mode])).toEqual([[tenant, failure.changeId, 'EMERGENCY']]);
      expect(bodies[0].invoiceId).toBeUndefined();
      expect(bodies[0].payload.customerMessages.pl.subject).toBe('Ministerstwo Finansów ogłosiło awarię KSeF od 25 listopada 2026 14:00 (czasu polskiego) (tryb awaryjny)');
      expect(bodies[0].payload.customerMessages.pl.body).toContain('w ciągu 7 dni roboczych od zakończenia awarii');
    }
    // Subscribed to invoices only: no announcement.
    for (const path of ['/invoices', '/old-some']) expect(announcementsAt(path)).toHaveLength(0);
  });
});
