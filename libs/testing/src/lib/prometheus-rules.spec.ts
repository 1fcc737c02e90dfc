import { join } from 'node:path';
import { exposedFamilies, familyOf, parseRuleFile, readRuleFiles, ruleMetricNames } from './prometheus-rules';
import { workspaceRoot } from './simulator-process';

// The parser behind the rules-versus-/metrics e2e test: if it missed a name, a renamed metric would slip through.
const RULES = `
groups:
  - name: g
    rules:
      - record: ksef:outbox_pending:max
        expr: max by (service) (ksef_outbox_pending_events)
      - alert: Plain
        expr: max by (service) (ksef_outbox_parked_events) > 0 # trailing comment
        for: 1m
      - alert: Quoted
        expr: "sum(rate(ksef_consumer_messages_total{topic=\\"ksef_not_a_metric\\"}[5m])) > 0"
      - alert: Block
        expr: |
          histogram_quantile(0.99, sum by (le) (rate(ksef_send_duration_seconds_bucket[5m])))
            > on() group_left ksef:outbox_pending:max
        labels: { severity: warning }
        annotations:
          summary: "mentions ksef_in_an_annotation"
      - alert: Folded
        expr: >-
          up{job="ksef-bridge"} == 0
`;

describe('parseRuleFile / ruleMetricNames', () => {
  it('reads names and expressions in every scalar style', () => {
    const rules = parseRuleFile(RULES, 'x.yml');
    expect(rules.map((r) => [r.kind, r.name])).toEqual([
      ['record', 'ksef:outbox_pending:max'],
      ['alert', 'Plain'],
      ['alert', 'Quoted'],
      ['alert', 'Block'],
      ['alert', 'Folded'],
    ]);
    expect(rules[1].expr).toBe('max by (service) (ksef_outbox_parked_events) > 0');
    expect(rules[3].expr).toBe('histogram_quantile(0.99, sum by (le) (rate(ksef_send_duration_seconds_bucket[5m]))) > on() group_left ksef:outbox_pending:max');
    expect(rules[4].expr).toBe('up{job="ksef-bridge"} == 0');
  });

  it('lists the ksef_ series the expressions read, not label values, annotations or recorded names', () => {
    expect(ruleMetricNames(parseRuleFile(RULES))).toEqual(['ksef_consumer_messages_total', 'ksef_outbox_parked_events', 'ksef_outbox_pending_events', 'ksef_send_duration_seconds_bucket']);
  });

  it('finds the metrics of the project rules (the e2e test would check nothing otherwise)', () => {
    const names = ruleMetricNames(readRuleFiles(join(workspaceRoot(), 'deploy/prometheus/rules')));
    expect(names).toEqual(expect.arrayContaining(['ksef_outbox_oldest_pending_age_seconds', 'ksef_outbox_parked_events', 'ksef_consumer_dead_lettered_total']));
  });
});

describe('exposedFamilies / familyOf', () => {
  const text = [
    '# HELP ksef_consumer_dead_lettered_total Messages sent to the dead-letter topic',
    '# TYPE ksef_consumer_dead_lettered_total counter',
    '# TYPE ksef_send_duration_seconds histogram',
    'ksef_send_duration_seconds_bucket{le="1"} 0',
    '# TYPE ksef_s summary',
  ].join('\n');

  it('maps series names to their declared family', () => {
    const families = exposedFamilies(text);
    expect(familyOf('ksef_consumer_dead_lettered_total', families)).toBe('ksef_consumer_dead_lettered_total');
    expect(familyOf('ksef_send_duration_seconds_bucket', families)).toBe('ksef_send_duration_seconds');
    expect(familyOf('ksef_send_duration_seconds_count', families)).toBe('ksef_send_duration_seconds');
    expect(familyOf('ksef_s_sum', families)).toBe('ksef_s');
    expect(familyOf('ksef_s_bucket', families)).toBeUndefined();
    expect(familyOf('ksef_consumer_dead_lettered', families)).toBeUndefined();
  });
});
