import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { invoiceAccepted, notificationInvoiceAccepted } from '@ksef-bridge/contracts';
import { newEnvelope } from '@ksef-bridge/outbox';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource } from '@ksef-bridge/service-kit';
import { waitFor } from '@ksef-bridge/testing';
import { acceptedNotification } from '../domain/public-events';
import { webhookSecretCipher } from '../notifier.settings';
import { NotificationRepository } from '../publish-outcomes/notification.repository';
import { acceptedPayload } from '../test/internal-events';
import { createWorld, dropWorld, internalEvent, startNotifier, type NotifierHarness, type NotifierWorld } from '../test/notifier-harness';
import { WebhookReceiver } from '../test/webhook-receiver';
import { DeliveryLeaseLostError, DeliveryRepository } from './delivery.repository';
import { previousSealedOf, sealedOf, SubscriptionRepository, type SubscriptionRow } from './subscription.repository';

jest.setTimeout(120_000);

describe('delivery claims (repository, real PostgreSQL)', () => {
  let world: NotifierWorld;
  let ds: DataSource;
  const deliveries = new DeliveryRepository('notifier');

  beforeAll(async () => {
    world = await createWorld();
    ds = await platformDataSource(world.platform).initialize();
    await runMigrations(ds, 'notifier');
    const sub = await withTransaction(ds, (m) => new SubscriptionRepository('notifier').create(m, webhookSecretCipher(world.masterKey), { tenantId: 'acme', url: 'http://127.0.0.1:9/x', eventTypes: [notificationInvoiceAccepted.type], secret: 'whsec_x' }));
    const notifications = new NotificationRepository('notifier');
    for (let i = 0; i < 8; i += 1) {
      const invoiceId = randomUUID();
      const envelope = newEnvelope({ type: notificationInvoiceAccepted.type, version: 1, aggregateId: invoiceId, tenant: 'acme', payload: acceptedNotification(acceptedPayload(invoiceId)) });
      await withTransaction(ds, async (m) => {
        await notifications.record(m, { dedupeKey: `accepted:${invoiceId}`, sourceEventId: randomUUID(), envelope });
        expect(await notifications.fanOut(m, envelope)).toBe(1);
      });
    }
    expect(sub.enabled).toBe(true);
  });

  afterAll(async () => {
    await ds?.destroy();
    if (world) await dropWorld(world);
  });

  it('two concurrent claimers get disjoint deliveries (FOR UPDATE SKIP LOCKED)', async () => {
    const [a, b] = await Promise.all([withTransaction(ds, (m) => deliveries.claimDue(m, 5, 60_000)), withTransaction(ds, (m) => deliveries.claimDue(m, 5, 60_000))]);
    const ids = [...a, ...b].map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(8);
    expect(await withTransaction(ds, (m) => deliveries.claimDue(m, 5, 60_000))).toHaveLength(0);
    await ds.query(`UPDATE notifier.webhook_deliveries SET state = 'PENDING', lease_until = NULL`);
  });

  it('a claim whose lease ran out and was taken over writes nothing (claim token)', async () => {
    const [first] = await withTransaction(ds, (m) => deliveries.claimDue(m, 1, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await withTransaction(ds, (m) => deliveries.claimDue(m, 8, 60_000));
    const taken = second.find((d) => d.id === first.id);
    expect(taken?.claimToken).toBeDefined();
    expect(taken?.claimToken).not.toBe(first.claimToken);
    await expect(withTransaction(ds, (m) => deliveries.markDelivered(m, first, 200))).rejects.toBeInstanceOf(DeliveryLeaseLostError);
    await withTransaction(ds, (m) => deliveries.markDelivered(m, taken!, 200));
    const [row] = (await ds.query(`SELECT state, attempts FROM notifier.webhook_deliveries WHERE id = $1`, [first.id])) as Array<{ state: string; attempts: number }>;
    expect(row).toEqual({ state: 'DELIVERED', attempts: 1 });
  });

  it('master-key rotation: rewrap re-wraps current and grace-period secrets so the new key alone opens both', async () => {
    const subscriptions = new SubscriptionRepository('notifier');
    const oldCipher = webhookSecretCipher(world.masterKey);
    const sub = await withTransaction(ds, (m) => subscriptions.create(m, oldCipher, { tenantId: 'rot', url: 'https://erp.example.com/h', eventTypes: [notificationInvoiceAccepted.type], secret: 'whsec_first' }));
    await withTransaction(ds, (m) => subscriptions.rotateSecret(m, oldCipher, sub.id, 'whsec_second', 3_600_000));
    const newKey = randomBytes(32);
    expect(await withTransaction(ds, (m) => subscriptions.rewrapAll(m, webhookSecretCipher(newKey, [world.masterKey])))).toBeGreaterThanOrEqual(1);
    const [row] = (await ds.query(`SELECT * FROM notifier.webhook_subscriptions WHERE id = $1`, [sub.id])) as SubscriptionRow[];
    const onlyNew = webhookSecretCipher(newKey);
    expect(onlyNew.decrypt(sealedOf(row), sub.id)).toBe('whsec_second');
    expect(onlyNew.decrypt(previousSealedOf(row)!, sub.id)).toBe('whsec_first');
    expect(() => oldCipher.decrypt(sealedOf(row), sub.id)).toThrow(/NOTIFIER_PREVIOUS_MASTER_KEYS/);
  });
});

describe('two notifier instances on one database', () => {
  let world: NotifierWorld;
  let one: NotifierHarness;
  let two: NotifierHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    world = await createWorld();
    one = await startNotifier(world);
    two = await startNotifier(world);
    receiver = await new WebhookReceiver().start();
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await receiver?.close();
    if (world) await dropWorld(world);
  });

  const delivered = async (instance: NotifierHarness) => {
    const line = (await (await fetch(`${instance.service.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('ksef_notifier_webhook_deliveries_total{') && l.includes('outcome="delivered"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  it('deliver every event exactly once between them, both taking part', async () => {
    const [sub] = await one.command('register-webhook', ['--tenant', 'acme', '--url', receiver.on('/acme', () => ({ status: 200, delayMs: 60 }))]);
    const count = 40;
    const invoiceIds = Array.from({ length: count }, () => randomUUID());
    await Promise.all(invoiceIds.map((id) => one.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, 'acme', id, acceptedPayload(id)))));
    await waitFor(async () => {
      const [row] = (await one.dataSource.query(`SELECT count(*)::int AS n FROM notifier.webhook_deliveries WHERE subscription_id = $1 AND state = 'DELIVERED'`, [sub['subscriptionId']])) as Array<{ n: number }>;
      return row.n === count;
    }, { timeoutMs: 60_000, what: `${count} deliveries DELIVERED` });
    const hooks = receiver.at('/acme');
    expect(hooks).toHaveLength(count);
    expect(new Set(hooks.map((h) => JSON.parse(h.body).invoiceId))).toEqual(new Set(invoiceIds));
    const [attempts] = (await one.dataSource.query(`SELECT count(*)::int AS n FROM notifier.webhook_attempts`)) as Array<{ n: number }>;
    expect(attempts.n).toBe(count);
    const [a, b] = [await delivered(one), await delivered(two)];
    expect(a + b).toBe(count);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});
