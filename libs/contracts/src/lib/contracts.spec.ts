import { z } from 'zod';
import { deadLetterTopic, isDeadLetterTopic, topicSpecs, topicSpecsOf, TOPICS } from './topics';
import { defineMessage } from './message-contract';

describe('topics', () => {
  it('follow one grammar', () => {
    for (const t of Object.values(TOPICS)) expect(t).toMatch(/^ksef\.[a-z-]+\.[a-z-]+\.v\d+$/);
  });
  it('derive dead-letter names', () => {
    expect(deadLetterTopic(TOPICS.invoiceReceived)).toBe('ksef.invoice.received.v1.dlt');
    expect(isDeadLetterTopic('a.dlt')).toBe(true);
    expect(() => deadLetterTopic('a.dlt')).toThrow(/already/);
  });
  it('spec every topic with its twin', () => {
    const names = topicSpecs(3).map((s) => s.name);
    expect(names).toHaveLength(Object.keys(TOPICS).length * 2);
    expect(names).toContain('ksef.invoice.accepted.v1.dlt');
  });
  it('spec any list of topics the same way', () => {
    expect(topicSpecsOf(['ksef.x.y.v1'], 2).map((s) => [s.name, s.partitions])).toEqual([
      ['ksef.x.y.v1', 2],
      ['ksef.x.y.v1.dlt', 1],
    ]);
  });
});

describe('defineMessage', () => {
  const contract = defineMessage({ type: 'test.happened', version: 1, topic: 'ksef.test.happened.v1', payload: z.object({ n: z.number() }) });
  const valid = {
    id: '6f1c1c1e-2b7a-4a55-9a53-3c8f6b1e2d11',
    type: 'test.happened',
    version: 1,
    aggregateId: 'agg-1',
    tenant: 't1',
    occurredAt: '2026-01-01T10:00:00.000Z',
    payload: { n: 1 },
  };
  it('parses a valid envelope and defaults headers', () => {
    expect(contract.parse(valid)).toEqual({ ...valid, headers: {} });
  });
  it('rejects a wrong payload, type or version', () => {
    expect(() => contract.parse({ ...valid, payload: { n: 'x' } })).toThrow();
    expect(() => contract.parse({ ...valid, type: 'other.thing' })).toThrow();
    expect(() => contract.parse({ ...valid, version: 2 })).toThrow();
    expect(() => contract.parse({ ...valid, id: 'not-a-uuid' })).toThrow();
  });
  it('safeParse reports instead of throwing', () => {
    expect(contract.safeParse(valid)).toEqual({ success: true, data: { ...valid, headers: {} } });
    const bad = contract.safeParse({ ...valid, payload: {} });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues[0].path).toEqual(['payload', 'n']);
  });
});
