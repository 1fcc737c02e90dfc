import { randomUUID } from 'node:crypto';
import { invoiceAccepted, invoiceRejected, notifierWebhookDeadLettered } from '@ksef-bridge/contracts';
import { uniqueSuffix, waitFor } from '@ksef-bridge/testing';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../domain/webhook-signature';
import { acceptedPayload, rejectedPayload, UPO_XML } from '../test/internal-events';
import { createWorld, dropWorld, internalEvent, startNotifier, type Collected, type NotifierHarness, type NotifierWorld } from '../test/notifier-harness';
import { WebhookReceiver, type Responder } from '../test/webhook-receiver';

// Real Kafka, PostgreSQL and a real local HTTP receiver. Retries: 200 ms doubling, no jitter, 4 attempts.
jest.setTimeout(120_000);

/** The value of a sample of `name` whose labels include `label` (every sample also has `service="notifier"`). */
function metricValue(text: string, name: string, label = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  if (!line) throw new Error(`no sample ${name}{${label}} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('notifier: signed webhooks, retries and dead letters', () => {
  let world: NotifierWorld;
  let notifier: NotifierHarness;
  let receiver: WebhookReceiver;
  let deadLetters: Collected;

  beforeAll(async () => {
    world = await createWorld();
    notifier = await startNotifier(world);
    receiver = await new WebhookReceiver().start();
    deadLetters = await notifier.collect(world.topics.webhookDeadLettered);
  });

  afterAll(async () => {
    await notifier?.close();
    await receiver?.close();
    if (world) await dropWorld(world);
  });

  /** A fresh tenant with one subscription at its own path, registered through the CLI command. */
  const subscribe = async (responder: Responder = () => ({ status: 200 }), events?: string) => {
    const tenant = `t-${uniqueSuffix(6)}`;
    const path = `/${tenant}`;
    const [out] = await notifier.command('register-webhook', ['--tenant', tenant, '--url', receiver.on(path, responder), ...(events ? ['--events', events] : [])]);
    return { tenant, path, id: out['subscriptionId'] as string, secret: out['secret'] as string };
  };
  const accept = async (tenant: string) => {
    const invoiceId = randomUUID();
    await notifier.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, tenant, invoiceId, acceptedPayload(invoiceId)));
    return invoiceId;
  };
  const delivery = async (subscriptionId: string) =>
    ((await notifier.dataSource.query(`SELECT * FROM notifier.webhook_deliveries WHERE subscription_id = $1`, [subscriptionId])) as Array<Record<string, unknown>>)[0];
  const attempts = async (deliveryId: unknown) =>
    (await notifier.dataSource.query(`SELECT round, attempt, outcome, http_status, started_at, response_snippet FROM notifier.webhook_attempts WHERE delivery_id = $1 ORDER BY id`, [deliveryId])) as Array<{
      round: number; attempt: number; outcome: string; http_status: number | null; started_at: Date; response_snippet: string | null;
    }>;
  const stateOf = async (subscriptionId: string) => (await delivery(subscriptionId))?.['state'];

  it('delivers the public event signed; the signature verifies with the secret printed at registration, and the secret is not stored in clear', async () => {
    const sub = await subscribe();
    expect(sub.secret).toMatch(/^whsec_/);
    const invoiceId = await accept(sub.tenant);
    // The first delivery of the suite also waits for the notifier's consumer groups to get their partitions (slow on a busy broker).
    await waitFor(() => receiver.at(sub.path).length === 1, { what: 'the webhook', timeoutMs: 90_000 });
    const [hook] = receiver.at(sub.path);
    expect(verifyWebhookSignature({ secret: sub.secret, body: hook.body, timestampHeader: hook.headers[WEBHOOK_HEADERS.timestamp] as string, signatureHeader: hook.headers[WEBHOOK_HEADERS.signature] as string })).toBe(true);
    expect(verifyWebhookSignature({ secret: 'whsec_wrong', body: hook.body, timestampHeader: hook.headers[WEBHOOK_HEADERS.timestamp] as string, signatureHeader: hook.headers[WEBHOOK_HEADERS.signature] as string })).toBe(false);
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ type: 'notification.invoice-accepted', version: 1, tenant: sub.tenant, invoiceId, payload: { ksefNumber: '5265877635-20260101-0100001AF629-AF', upo: { status: 'available', xml: UPO_XML } } });
    expect(hook.headers[WEBHOOK_HEADERS.eventId]).toBe(body.id);
    expect(hook.headers[WEBHOOK_HEADERS.eventType]).toBe('notification.invoice-accepted');
    expect(hook.headers['content-type']).toBe('application/json');
    await waitFor(async () => (await stateOf(sub.id)) === 'DELIVERED', { what: 'DELIVERED' });
    const [stored] = (await notifier.dataSource.query(`SELECT secret_ciphertext, data_key_wrapped FROM notifier.webhook_subscriptions WHERE id = $1`, [sub.id])) as Array<{ secret_ciphertext: Buffer; data_key_wrapped: Buffer }>;
    expect(stored.secret_ciphertext.includes(Buffer.from(sub.secret.slice(6, 20)))).toBe(false);
  });

  it('another tenant\'s subscription never gets the event, and the database refuses a cross-tenant delivery row', async () => {
    const a = await subscribe();
    const b = await subscribe();
    const invoiceId = await accept(a.tenant);
    await waitFor(async () => (await stateOf(a.id)) === 'DELIVERED', { what: 'A delivered' });
    expect(receiver.at(b.path)).toHaveLength(0);
    expect(await delivery(b.id)).toBeUndefined();
    const [event] = (await notifier.dataSource.query(`SELECT event_id FROM notifier.notifications WHERE invoice_id = $1`, [invoiceId])) as Array<{ event_id: string }>;
    await expect(notifier.dataSource.query(`INSERT INTO notifier.webhook_deliveries (id, subscription_id, event_id, tenant_id) VALUES ($1, $2, $3, $4)`, [randomUUID(), b.id, event.event_id, a.tenant])).rejects.toThrow(/foreign key/);
    await expect(notifier.dataSource.query(`INSERT INTO notifier.webhook_deliveries (id, subscription_id, event_id, tenant_id) VALUES ($1, $2, $3, $4)`, [randomUUID(), b.id, event.event_id, b.tenant])).rejects.toThrow(/foreign key/);
  });

  it('only the subscribed event types are delivered', async () => {
    const sub = await subscribe(undefined, 'rejected');
    await accept(sub.tenant);
    const rejectedId = randomUUID();
    await notifier.publish(world.topics.invoiceRejected, internalEvent(invoiceRejected.type, sub.tenant, rejectedId, rejectedPayload(rejectedId)));
    await waitFor(() => receiver.at(sub.path).length === 1, { what: 'the rejection webhook' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.at(sub.path).map((h) => JSON.parse(h.body).type)).toEqual(['notification.invoice-rejected']);
  });

  it('a receiver failing (503, then 429 with Retry-After: 1) is retried, honouring Retry-After, then delivered; the history is kept', async () => {
    const sub = await subscribe((n) => (n === 1 ? { status: 503 } : n === 2 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }));
    await accept(sub.tenant);
    await waitFor(async () => (await stateOf(sub.id)) === 'DELIVERED', { what: 'DELIVERED after retries' });
    const d = await delivery(sub.id);
    const history = await attempts(d['id']);
    expect(history.map((a) => [a.attempt, a.outcome, a.http_status])).toEqual([
      [1, 'retriable-failure', 503],
      [2, 'retriable-failure', 429],
      [3, 'delivered', 204],
    ]);
    expect(history[0].response_snippet).toBe('answer 503 to #1');
    expect(history[2].started_at.getTime() - history[1].started_at.getTime()).toBeGreaterThanOrEqual(950);
    const hooks = receiver.at(sub.path);
    expect(new Set(hooks.map((h) => h.headers[WEBHOOK_HEADERS.eventId])).size).toBe(1);
    expect(hooks.map((h) => h.headers[WEBHOOK_HEADERS.attempt])).toEqual(['1', '2', '3']);
    await expect(notifier.dataSource.query(`UPDATE notifier.webhook_attempts SET outcome = 'delivered' WHERE delivery_id = $1`, [d['id']])).rejects.toThrow(/append-only/);
  });

  it.each([410, 400])('a %i is dead at once: one attempt, a dead-letter event, no retry', async (status) => {
    const sub = await subscribe(() => ({ status }));
    const invoiceId = await accept(sub.tenant);
    await waitFor(async () => (await stateOf(sub.id)) === 'DEAD', { what: 'DEAD' });
    const d = await delivery(sub.id);
    expect(d).toMatchObject({ dead_reason: 'permanent-failure', last_http_status: status, attempts: 1 });
    await waitFor(() => deadLetters.messages.some((m) => m.envelope.payload && (m.envelope.payload as { deliveryId: string }).deliveryId === d['id']), { what: 'dead-letter event' });
    const dead = notifierWebhookDeadLettered.parse(deadLetters.messages.find((m) => (m.envelope.payload as { deliveryId: string }).deliveryId === d['id'])!.envelope);
    expect(dead.payload).toMatchObject({ subscriptionId: sub.id, invoiceId, reason: 'permanent-failure', attempts: 1, lastHttpStatus: status, endpointOrigin: receiver.url });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.at(sub.path)).toHaveLength(1);
  });

  it('max attempts → DEAD with a dead-letter event and metrics; redeliver-webhooks re-queues it in a new round and it is delivered', async () => {
    let healthy = false;
    const sub = await subscribe(() => (healthy ? { status: 200 } : { status: 500 }));
    await accept(sub.tenant);
    await waitFor(async () => (await stateOf(sub.id)) === 'DEAD', { timeoutMs: 30_000, what: 'DEAD after 4 attempts' });
    const d = await delivery(sub.id);
    expect(d).toMatchObject({ dead_reason: 'attempts-exhausted', attempts: 4, last_http_status: 500 });
    expect((await attempts(d['id'])).map((a) => a.outcome)).toEqual(Array(4).fill('retriable-failure'));
    await waitFor(() => deadLetters.messages.some((m) => (m.envelope.payload as { deliveryId: string }).deliveryId === d['id']), { what: 'dead-letter event' });
    const metrics = await (await fetch(`${notifier.service.url}/metrics`)).text();
    expect(metricValue(metrics, 'ksef_notifier_webhook_dead_total', 'reason="attempts-exhausted"')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'ksef_notifier_webhook_deliveries_total', 'outcome="retry"')).toBeGreaterThanOrEqual(3);
    expect(metricValue(metrics, 'ksef_notifier_events_published_total', 'type="notification.invoice-accepted"')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'ksef_notifier_webhook_dead_deliveries')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'ksef_notifier_webhook_pending_deliveries')).toBeGreaterThanOrEqual(0);

    healthy = true;
    expect(await notifier.command('redeliver-webhooks', ['--subscription', sub.id])).toEqual([{ requeued: 1 }]);
    await waitFor(async () => (await stateOf(sub.id)) === 'DELIVERED', { what: 'DELIVERED after redelivery' });
    const history = await attempts(d['id']);
    expect(history.map((a) => [a.round, a.attempt, a.outcome])).toEqual([[1, 1, 'retriable-failure'], [1, 2, 'retriable-failure'], [1, 3, 'retriable-failure'], [1, 4, 'retriable-failure'], [2, 1, 'delivered']]);
    expect(metricValue(await (await fetch(`${notifier.service.url}/metrics`)).text(), 'ksef_notifier_webhook_delivery_latency_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('list / disable / rotate-secret: a disabled subscription gets nothing until enabled; a rotation signs with both secrets during its grace period, with only the new one after --grace-hours 0', async () => {
    const sub = await subscribe();
    expect((await notifier.command('list-webhooks', ['--tenant', sub.tenant])).map((l) => [l['id'], l['enabled'], l['secret']])).toEqual([[sub.id, true, undefined]]);
    await notifier.command('disable-webhook', ['--id', sub.id]);
    await accept(sub.tenant);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.at(sub.path)).toHaveLength(0);
    const [rotated] = await notifier.command('rotate-webhook-secret', ['--id', sub.id]);
    expect(Date.parse(rotated['previousSecretValidUntil'] as string) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await notifier.command('enable-webhook', ['--id', sub.id]);
    const hookFor = async (invoiceId: string) => {
      await waitFor(() => receiver.at(sub.path).some((h) => JSON.parse(h.body).invoiceId === invoiceId), { what: 'webhook after enabling' });
      const hook = receiver.at(sub.path).find((h) => JSON.parse(h.body).invoiceId === invoiceId)!;
      return (secret: string) => verifyWebhookSignature({ secret, body: hook.body, timestampHeader: hook.headers[WEBHOOK_HEADERS.timestamp] as string, signatureHeader: hook.headers[WEBHOOK_HEADERS.signature] as string });
    };
    const duringGrace = await hookFor(await accept(sub.tenant));
    expect(duringGrace(rotated['secret'] as string)).toBe(true);
    expect(duringGrace(sub.secret)).toBe(true);
    expect(duringGrace('whsec_never-issued')).toBe(false);

    const [immediate] = await notifier.command('rotate-webhook-secret', ['--id', sub.id, '--grace-hours', '0']);
    expect(immediate['previousSecretValidUntil']).toBeNull();
    const afterwards = await hookFor(await accept(sub.tenant));
    expect(afterwards(immediate['secret'] as string)).toBe(true);
    expect(afterwards(rotated['secret'] as string)).toBe(false);
    expect(afterwards(sub.secret)).toBe(false);
    await expect(notifier.command('rotate-webhook-secret', ['--id', sub.id, '--grace-hours', '-1'])).rejects.toThrow(/grace-hours/);
  });

  it('register-webhook refuses plain http to a non-local host and unknown event types', async () => {
    await expect(notifier.command('register-webhook', ['--tenant', 'x', '--url', 'http://erp.example.com/hook'])).rejects.toThrow(/only to localhost/);
    await expect(notifier.command('register-webhook', ['--tenant', 'x', '--url', 'https://erp.example.com/hook', '--events', 'paid'])).rejects.toThrow(/unknown event type/);
  });
});
