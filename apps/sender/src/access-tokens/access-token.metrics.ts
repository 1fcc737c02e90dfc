import { Counter, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';

export const ACCESS_TOKEN_METRICS = Symbol('ACCESS_TOKEN_METRICS');

export interface AccessTokenMetrics {
  served(outcome: 'issued' | 'unknown-context' | 'ksef-auth-failed'): void;
}

/** `ksef_sender_access_tokens_total{outcome}`: access-token requests of other services (no token values, ever). */
export function accessTokenMetrics(registry: Registry): AccessTokenMetrics {
  const counter = getOrCreateMetric(registry, 'ksef_sender_access_tokens_total', (registers) => new Counter({ name: 'ksef_sender_access_tokens_total', help: 'KSeF access-token requests from other services, by outcome (issued, unknown-context, ksef-auth-failed)', labelNames: ['outcome'], registers }));
  return { served: (outcome) => counter.inc({ outcome }) };
}
