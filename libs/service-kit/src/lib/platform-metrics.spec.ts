import { createMetricsRegistry } from '@ksef-bridge/observability';
import type { ConsumerGroupTopics, ConsumerLag } from '@ksef-bridge/kafka';
import { registerConsumerLagGauges } from './platform-metrics';

// The gauges over the lag reader (the reader itself is tested against a real broker in libs/kafka).
function source(answers: Array<ConsumerLag[] | Error>) {
  const asked: ConsumerGroupTopics[][] = [];
  return {
    asked,
    reader: {
      read: async (groups: ConsumerGroupTopics[]) => {
        asked.push(groups);
        const next = answers.shift();
        if (next instanceof Error || next === undefined) throw next ?? new Error('no answer');
        return next;
      },
    },
    groups: () => [{ groupId: 'intake.erp', topics: ['a', 'b'] }],
  };
}

describe('consumer lag gauges', () => {
  it('publish per group and topic, their sum, and keep the last values when the brokers do not answer', async () => {
    const registry = createMetricsRegistry('intake');
    const s = source([
      [
        { groupId: 'intake.erp', topic: 'a', lag: 5 },
        { groupId: 'intake.erp', topic: 'b', lag: 2 },
      ],
      new Error('broker down'),
    ]);
    registerConsumerLagGauges(registry, s);
    let text = await registry.metrics();
    expect(text).toContain('ksef_consumer_lag{group="intake.erp",topic="a",service="intake"} 5');
    expect(text).toContain('ksef_consumer_lag{group="intake.erp",topic="b",service="intake"} 2');
    expect(text).toContain('ksef_consumer_lag_overall{service="intake"} 7');
    // Both gauges of one scrape share one read.
    expect(s.asked).toEqual([[{ groupId: 'intake.erp', topics: ['a', 'b'] }]]);

    await new Promise((r) => setTimeout(r, 600));
    text = await registry.metrics();
    expect(s.asked).toHaveLength(2);
    expect(text).toContain('ksef_consumer_lag{group="intake.erp",topic="a",service="intake"} 5');
    expect(text).toContain('ksef_consumer_lag_overall{service="intake"} 7');
  });

  it('the sum is present at 0 before any answer (a service without consumers still exposes it)', async () => {
    const registry = createMetricsRegistry('status-poller');
    registerConsumerLagGauges(registry, { reader: { read: async () => [] }, groups: () => [] });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE ksef_consumer_lag gauge');
    expect(text).toContain('ksef_consumer_lag_overall{service="status-poller"} 0');
  });
});
