import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deadLetterTopic, ksefAvailabilityChanged, notificationKsefAvailabilityChanged, type KsefAvailabilityChanged } from '@ksef-bridge/contracts';
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
// nothing; the webhook carries the customer texts.
jest.setTimeout(120_000);

describe('KSeF availability (notifier)', () => {
  let world: NotifierWorld;
  let service: RunningService;
  let dataSource: DataSource;
  let receiver: WebhookReceiver;
  let publisher: KafkaPublisher;
  let runner: KafkaConsumerRunner;
  const published: ReceivedMessage[] = [];
  const topics = { source: randomTopic('ksef-availability'), public: randomTopic('n-ksef-availability') };
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
    runner = new KafkaConsumerRunner(client, { groupId: randomGroup('collector'), topics: [topics.public], fromBeginning: true, handler: async (batch) => void published.push(...batch) });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await publisher?.disconnect();
    await service?.close();
    await receiver?.close();
    const client = createKafka({ brokers: world.platform.config.KAFKA_BROKERS, clientId: 'notifier-availability-admin' });
    await new TopicAdmin(client).deleteTopics([topics.source, topics.public, deadLetterTopic(topics.source), deadLetterTopic(topics.public)]).catch(() => undefined);
    await dropWorld(world);
  });

  it('one public event per transition and one webhook per subscribed tenant, deduplicated on the transition; none for the first AVAILABLE', async () => {
    await register('tenant-all', '/all');
    await register('tenant-only', '/only', 'ksef-availability-changed');
    await register('tenant-invoices', '/invoices', 'accepted,rejected');

    const boot = transition({ from: null, to: 'AVAILABLE', cause: 'FIRST_OBSERVATION', detail: 'KSeF answers' });
    await publisher.publish(topics.source, envelopeOf(boot));
    const down = transition({});
    const first = envelopeOf(down);
    await publisher.publish(topics.source, first);
    await publisher.publish(topics.source, first); // redelivery: the inbox
    await publisher.publish(topics.source, envelopeOf(down)); // the same transition re-emitted under a new id: the dedupe key
    const up = transition({ from: 'UNAVAILABLE', to: 'AVAILABLE', since: '2026-11-25T14:00:00.000Z', cause: 'RECOVERED', detail: 'KSeF answers' });
    await publisher.publish(topics.source, envelopeOf(up));

    await waitFor(async () => published.length >= 3 && receiver.at('/all').length >= 2 && receiver.at('/only').length >= 2, { timeoutMs: 30_000, what: 'events and webhooks' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const events = published.map((m) => notificationKsefAvailabilityChanged.parse(m.envelope));
    expect(events.map((e) => [e.tenant, e.payload.transitionId, e.payload.to])).toEqual([
      ['*', boot.transitionId, 'AVAILABLE'],
      ['*', down.transitionId, 'UNAVAILABLE'],
      ['*', up.transitionId, 'AVAILABLE'],
    ]);
    expect(events[1].payload.customerMessages.pl.subject).toBe('Niedostępność KSeF od 25 listopada 2026 14:05 (czasu polskiego): faktury wystawiamy bez przerwy');
    expect(events[1].payload.meaning).toMatch(/queued/);

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
    const [Migration] = availabilitySubscriptionMigrations(platform.schema);
    const runner = dataSource.createQueryRunner();
    try {
      await new Migration().up(runner);
    } finally {
      await runner.release();
    }
    expect(await types(all['subscriptionId'])).toEqual([...old, 'notification.ksef-availability-changed']);
    expect(await types(some['subscriptionId'])).toEqual(['notification.invoice-accepted']);
  });
});
