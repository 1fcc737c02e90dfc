import { Counter, getOrCreateMetric, Histogram, type Registry } from '@ksef-bridge/observability';
import type { KsefCallEvent, KsefCallHook } from './ksef-http';

/** Latency buckets (seconds): KSeF answers most calls in 50–500 ms; sends and UPO downloads can take seconds. */
const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Declares the KSeF call families on `registry` and returns the hook to pass as `onCall` to `KsefClient`/`KsefHttp`
 * (several clients may share it; calling this twice on one registry returns hooks feeding the same series):
 *
 * - `ksef_api_calls_total{route,method,status}`: every call; `status` is the HTTP status, or `timeout`, `network`,
 *   `aborted` when KSeF gave no answer.
 * - `ksef_api_call_duration_seconds{route}`: latency histogram of every call, answered or not.
 * - `ksef_api_timeouts_total{route}`: calls that timed out (connect, headers or the whole-call timeout).
 * - `ksef_api_rate_limited_total{route}`: 429 answers.
 * - `ksef_api_retry_after_seconds_total`: sum of the waits KSeF asked for in its 429 answers (Retry-After).
 */
export function registerKsefCallMetrics(registry: Registry): KsefCallHook {
  const calls = getOrCreateMetric(registry, 'ksef_api_calls_total', (registers) => new Counter({ name: 'ksef_api_calls_total', help: 'KSeF HTTP calls by templated route, method and status (HTTP status, or timeout / network / aborted)', labelNames: ['route', 'method', 'status'], registers }));
  const duration = getOrCreateMetric(registry, 'ksef_api_call_duration_seconds', (registers) => new Histogram({ name: 'ksef_api_call_duration_seconds', help: 'KSeF HTTP call latency by templated route', labelNames: ['route'], buckets: DURATION_BUCKETS, registers }));
  const timeouts = getOrCreateMetric(registry, 'ksef_api_timeouts_total', (registers) => new Counter({ name: 'ksef_api_timeouts_total', help: 'KSeF HTTP calls that timed out, by templated route', labelNames: ['route'], registers }));
  const limited = getOrCreateMetric(registry, 'ksef_api_rate_limited_total', (registers) => new Counter({ name: 'ksef_api_rate_limited_total', help: 'KSeF 429 answers by templated route', labelNames: ['route'], registers }));
  const retryAfter = getOrCreateMetric(registry, 'ksef_api_retry_after_seconds_total', (registers) => new Counter({ name: 'ksef_api_retry_after_seconds_total', help: 'Seconds KSeF asked us to wait in its 429 answers (Retry-After)', registers }));
  return (event: KsefCallEvent) => {
    calls.inc({ route: event.route, method: event.method, status: event.status !== undefined ? String(event.status) : (event.error ?? 'unknown') });
    duration.observe({ route: event.route }, event.durationMs / 1000);
    if (event.error === 'timeout') timeouts.inc({ route: event.route });
    if (event.status === 429) {
      limited.inc({ route: event.route });
      if (event.retryAfterMs !== undefined) retryAfter.inc(event.retryAfterMs / 1000);
    }
  };
}
