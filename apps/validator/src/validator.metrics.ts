import { Counter, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';

/** Prometheus counter of verdicts: `verdict` valid/invalid, `stage` of an invalid one (document, schema, rules). */
export function verdictCounter(registry: Registry): Counter<'verdict' | 'stage'> {
  return getOrCreateMetric(
    registry,
    'ksef_validator_verdicts_total',
    (registers) => new Counter({ name: 'ksef_validator_verdicts_total', help: 'Validation verdicts published', labelNames: ['verdict', 'stage'], registers }),
  );
}
