import { Counter, Gauge, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import type { ConsumerGroupTopics, ConsumerLagReader, ConsumerMetrics } from '@ksef-bridge/kafka';
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
export function registerPlatformMetrics(registry: Registry, relay: OutboxRelay, lag?: ConsumerLagSource): void {
  consumerMetrics(registry);
  registerOutboxGauges(registry, relay);
  if (lag) registerConsumerLagGauges(registry, lag);
}

/** Where the lag gauges read from: the reader (cached broker reads) and the groups the service runs. */
export interface ConsumerLagSource {
  reader: Pick<ConsumerLagReader, 'read'>;
  groups: () => ConsumerGroupTopics[];
}

/**
 * Kafka consumer lag read at scrape time (cached by the reader): `ksef_consumer_lag{group,topic}` per group the
 * service runs, and `ksef_consumer_lag_overall`, their sum, always present (0 without consumers) so an alert rule
 * can read it from every service. When the brokers do not answer, the last values stay.
 */
export function registerConsumerLagGauges(registry: Registry, source: ConsumerLagSource): void {
  let last: Promise<Array<{ groupId: string; topic: string; lag: number }> | undefined> | undefined;
  let lastAt = 0;
  // Both gauges collect on one scrape: they share one read.
  const read = () => {
    if (!last || Date.now() - lastAt > 500) {
      lastAt = Date.now();
      last = source.reader.read(source.groups()).catch(() => undefined);
    }
    return last;
  };
  getOrCreateMetric(registry, 'ksef_consumer_lag', (registers) => new Gauge({ name: 'ksef_consumer_lag', help: 'Messages not yet consumed (committed) by a consumer group, per topic', labelNames: ['group', 'topic'], registers, async collect() {
    const lags = await read();
    if (!lags) return;
    this.reset();
    for (const l of lags) this.set({ group: l.groupId, topic: l.topic }, l.lag);
  } }));
  getOrCreateMetric(registry, 'ksef_consumer_lag_overall', (registers) => new Gauge({ name: 'ksef_consumer_lag_overall', help: 'Sum of ksef_consumer_lag over every consumer group of the service (0 without consumers)', registers, async collect() {
    const lags = await read();
    if (lags) this.set(lags.reduce((sum, l) => sum + l.lag, 0));
  } }));
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
