import { DataSource } from 'typeorm';
import { Counter, Gauge, getOrCreateMetric, Histogram, type Registry } from '@ksef-bridge/observability';
import type { DeliveryRepository } from './delivery.repository';

/** What the notifier counts (ksef_notifier_*, docs/notifier.md "Metrics"). */
export interface NotifierMetrics {
  /** A public event committed to the outbox. */
  published(type: string): void;
  /** One attempt's effect on its delivery. */
  attempt(outcome: 'delivered' | 'retry' | 'dead', requestSeconds: number): void;
  dead(reason: 'permanent-failure' | 'attempts-exhausted'): void;
  /** From the public event's creation to its successful delivery. */
  delivered(latencySeconds: number): void;
}

export function notifierMetrics(registry: Registry): NotifierMetrics {
  const published = getOrCreateMetric(registry, 'ksef_notifier_events_published_total', (registers) => new Counter({ name: 'ksef_notifier_events_published_total', help: 'Public events written (committed to the outbox), by type', labelNames: ['type'], registers }));
  const deliveries = getOrCreateMetric(registry, 'ksef_notifier_webhook_deliveries_total', (registers) => new Counter({ name: 'ksef_notifier_webhook_deliveries_total', help: 'Webhook attempts by their effect on the delivery: delivered, retry (scheduled again), dead', labelNames: ['outcome'], registers }));
  const dead = getOrCreateMetric(registry, 'ksef_notifier_webhook_dead_total', (registers) => new Counter({ name: 'ksef_notifier_webhook_dead_total', help: 'Webhook deliveries that went DEAD (dead-letter event written), by reason', labelNames: ['reason'], registers }));
  const request = getOrCreateMetric(registry, 'ksef_notifier_webhook_request_duration_seconds', (registers) => new Histogram({ name: 'ksef_notifier_webhook_request_duration_seconds', help: 'Duration of one webhook POST, by outcome', labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }));
  const latency = getOrCreateMetric(registry, 'ksef_notifier_webhook_delivery_latency_seconds', (registers) => new Histogram({ name: 'ksef_notifier_webhook_delivery_latency_seconds', help: 'From the public event to its successful webhook delivery (retries included)', buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400], registers }));
  return {
    published: (type) => published.inc({ type }),
    attempt: (outcome, seconds) => {
      deliveries.inc({ outcome });
      request.observe({ outcome }, seconds);
    },
    dead: (reason) => dead.inc({ reason }),
    delivered: (seconds) => latency.observe(seconds),
  };
}

/** Gauges read from `webhook_deliveries` at scrape time. */
export function registerDeliveryGauges(registry: Registry, dataSource: DataSource, deliveries: DeliveryRepository): void {
  const backlog = () => deliveries.backlog(dataSource.manager).catch(() => undefined);
  getOrCreateMetric(registry, 'ksef_notifier_webhook_pending_deliveries', (registers) => new Gauge({ name: 'ksef_notifier_webhook_pending_deliveries', help: 'Webhook deliveries not yet delivered nor dead (PENDING or DELIVERING)', registers, async collect() { const b = await backlog(); if (b) this.set(b.pending); } }));
  getOrCreateMetric(registry, 'ksef_notifier_webhook_oldest_pending_age_seconds', (registers) => new Gauge({ name: 'ksef_notifier_webhook_oldest_pending_age_seconds', help: 'Age of the oldest webhook delivery not yet delivered nor dead', registers, async collect() { const b = await backlog(); if (b) this.set(b.oldestAgeSeconds); } }));
  getOrCreateMetric(registry, 'ksef_notifier_webhook_dead_deliveries', (registers) => new Gauge({ name: 'ksef_notifier_webhook_dead_deliveries', help: 'Webhook deliveries currently DEAD (waiting for redeliver-webhooks)', registers, async collect() { const b = await backlog(); if (b) this.set(b.dead); } }));
}
