import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Registry } from '@ksef-bridge/observability';
import { METRICS_REGISTRY } from '@ksef-bridge/service-kit';
import { INTAKE_SETTINGS, type IntakeSettings } from '../intake.settings';
import { registerInvoiceMetrics } from './invoice-metrics.gauges';
import { readInvoiceMetrics, type InvoiceMetricsSnapshot } from './invoice-metrics.queries';

/** Default INTAKE_CONFIRMATION_DEADLINE_SECONDS: 24 h. */
export const DEFAULT_CONFIRMATION_DEADLINE_SECONDS = 86_400;

/**
 * Reads the invoice snapshot at most once per `cacheMs` (default 5 000 ms), however many families collect on a
 * scrape and however often Prometheus scrapes. A failed read answers undefined (the families keep their values).
 */
export function cachedInvoiceMetricsReader(dataSource: DataSource, schema: string, deadlineSeconds: number, cacheMs = 5_000): () => Promise<InvoiceMetricsSnapshot | undefined> {
  let last: { at: number; promise: Promise<InvoiceMetricsSnapshot | undefined> } | undefined;
  return () => {
    if (!last || Date.now() - last.at >= cacheMs) {
      last = { at: Date.now(), promise: readInvoiceMetrics(dataSource.manager, schema, deadlineSeconds).catch(() => undefined) };
    }
    return last.promise;
  };
}

/** Registers intake's business and regulatory families on /metrics at boot. */
@Injectable()
export class InvoiceMetricsRegistration implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(INTAKE_SETTINGS) private readonly settings: IntakeSettings,
  ) {}

  onModuleInit(): void {
    const deadline = this.settings.confirmationDeadlineSeconds ?? DEFAULT_CONFIRMATION_DEADLINE_SECONDS;
    registerInvoiceMetrics(this.registry, cachedInvoiceMetricsReader(this.dataSource, this.settings.schema, deadline));
  }
}
