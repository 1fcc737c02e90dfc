import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per service, with Node.js process metrics and a `service` label on every series.
 * Metric names follow `ksef_<area>_<what>_<unit>` (e.g. `ksef_outbox_pending_events`).
 */
export function createMetricsRegistry(serviceName: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `create` builds (safe across module reloads). */
export function getOrCreateMetric<T extends Counter | Gauge | Histogram>(registry: Registry, name: string, create: (registers: Registry[]) => T): T {
  const existing = registry.getSingleMetric(name) as T | undefined;
  return existing ?? create([registry]);
}
