import { Counter, Gauge, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import type { ConsumerMetrics } from '@ksef-bridge/kafka';
import type { OutboxRelay, OutboxRelayMetrics } from '@ksef-bridge/outbox';

/** Prometheus series of the messaging platform: `ksef_outbox_*` and `ksef_consumer_*`. */
export function outboxRelayMetrics(registry: Registry): OutboxRelayMetrics {
  const published = getOrCreateMetric(registry, 'ksef_outbox_published_total', (registers) => new Counter({ name: 'ksef_outbox_published_total', help: 'Outbox events acknowledged by Kafka', registers }));
  const failed = getOrCreateMetric(registry, 'ksef_outbox_publish_failures_total', (registers) => new Counter({ name: 'ksef_outbox_publish_failures_total', help: 'Outbox events whose publish failed, by error code', labelNames: ['code'], registers }));
  const parked = getOrCreateMetric(registry, 'ksef_outbox_parked_total', (registers) => new Counter({ name: 'ksef_outbox_parked_total', help: 'Outbox events parked as poison', registers }));
  return {
    published: (n) => published.inc(n),
    failed: (code, n) => failed.inc({ code }, n),
    parked: (n) => parked.inc(n),
  };
}

/**
 * Declares every platform metric family at boot: the outbox gauges (read from the outbox table at scrape time) and
 * the consumer counters, so a service with no consumer yet still exposes `ksef_consumer_*` (HELP/TYPE, no series
 * until the first message) and the alert rules in deploy/prometheus/rules point at names that exist.
 */
export function registerPlatformMetrics(registry: Registry, relay: OutboxRelay): void {
  consumerMetrics(registry);
  registerOutboxGauges(registry, relay);
}

/** Gauges read from the outbox table at scrape time: what is waiting, what is stuck, and for how long. */
function registerOutboxGauges(registry: Registry, relay: OutboxRelay): void {
  const stats = () => relay.stats().catch(() => undefined);
  getOrCreateMetric(registry, 'ksef_outbox_pending_events', (registers) => new Gauge({ name: 'ksef_outbox_pending_events', help: 'Outbox events not yet acknowledged by Kafka', registers, async collect() { const s = await stats(); if (s) this.set(s.pending); } }));
  getOrCreateMetric(registry, 'ksef_outbox_parked_events', (registers) => new Gauge({ name: 'ksef_outbox_parked_events', help: 'Outbox events parked as poison, waiting for an operator', registers, async collect() { const s = await stats(); if (s) this.set(s.parked); } }));
  getOrCreateMetric(registry, 'ksef_outbox_oldest_pending_age_seconds', (registers) => new Gauge({ name: 'ksef_outbox_oldest_pending_age_seconds', help: 'Age of the oldest unpublished outbox event', registers, async collect() { const s = await stats(); if (s) this.set(s.oldestPendingAgeSeconds); } }));
}

export function consumerMetrics(registry: Registry): ConsumerMetrics {
  const processed = getOrCreateMetric(registry, 'ksef_consumer_messages_total', (registers) => new Counter({ name: 'ksef_consumer_messages_total', help: 'Messages applied by consumers', labelNames: ['topic'], registers }));
  const retried = getOrCreateMetric(registry, 'ksef_consumer_retries_total', (registers) => new Counter({ name: 'ksef_consumer_retries_total', help: 'Retriable failures retried with backoff', labelNames: ['topic', 'code'], registers }));
  const dead = getOrCreateMetric(registry, 'ksef_consumer_dead_lettered_total', (registers) => new Counter({ name: 'ksef_consumer_dead_lettered_total', help: 'Messages sent to the dead-letter topic', labelNames: ['topic', 'code'], registers }));
  return {
    processed: (topic, n) => processed.inc({ topic }, n),
    retried: (topic, code) => retried.inc({ topic, code }),
    deadLettered: (topic, code) => dead.inc({ topic, code }),
  };
}
