import { Inject, Injectable } from '@nestjs/common';
import { Counter, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import { METRICS_REGISTRY } from '@ksef-bridge/service-kit';

/** Prometheus counters of what the simulator did (served on /metrics with the platform metrics). */
@Injectable()
export class SimulatorMetrics {
  readonly invoicesReceived: Counter<'session_type'>;
  readonly invoicesProcessed: Counter<'status_code'>;
  readonly rateLimited: Counter<'group'>;
  readonly faultsInjected: Counter<'type'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.invoicesReceived = getOrCreateMetric(registry, 'ksef_sim_invoices_received_total', (registers) => new Counter({ name: 'ksef_sim_invoices_received_total', help: 'Invoices accepted for processing', labelNames: ['session_type'], registers }));
    this.invoicesProcessed = getOrCreateMetric(registry, 'ksef_sim_invoices_processed_total', (registers) => new Counter({ name: 'ksef_sim_invoices_processed_total', help: 'Invoices that reached a final status', labelNames: ['status_code'], registers }));
    this.rateLimited = getOrCreateMetric(registry, 'ksef_sim_rate_limited_total', (registers) => new Counter({ name: 'ksef_sim_rate_limited_total', help: 'Requests refused with 429 by the limiter', labelNames: ['group'], registers }));
    this.faultsInjected = getOrCreateMetric(registry, 'ksef_sim_faults_injected_total', (registers) => new Counter({ name: 'ksef_sim_faults_injected_total', help: 'Injected faults', labelNames: ['type'], registers }));
  }
}
