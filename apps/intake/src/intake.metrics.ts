import { Inject, Injectable } from '@nestjs/common';
import { Counter, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import { METRICS_REGISTRY } from '@ksef-bridge/service-kit';

export type SubmissionOutcome = 'created' | 'existing' | 'refused';

/** Prometheus counters of intake's doors (served on /metrics with the platform metrics). */
@Injectable()
export class IntakeMetrics {
  private readonly submissions: Counter<'door' | 'outcome' | 'code'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.submissions = getOrCreateMetric(
      registry,
      'ksef_intake_submissions_total',
      (registers) =>
        new Counter({ name: 'ksef_intake_submissions_total', help: 'ERP submissions by door and outcome (code: the refusal code, empty otherwise)', labelNames: ['door', 'outcome', 'code'], registers }),
    );
  }

  submission(door: 'http' | 'kafka', outcome: SubmissionOutcome, code = ''): void {
    this.submissions.inc({ door, outcome, code });
  }
}
