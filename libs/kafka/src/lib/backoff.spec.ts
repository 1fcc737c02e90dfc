import { backoffDelay, DEFAULT_RETRY } from './backoff';
import { deadLetterHeaders, DLT_HEADER } from './dead-letter';
import { PermanentError } from '@ksef-bridge/errors';

describe('backoffDelay (full jitter)', () => {
  it('stays within a ceiling that doubles per attempt and is capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
  });
});

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds the error facts', () => {
    const error = new PermanentError('INVOICE_BROKEN', 'x'.repeat(5_000));
    const h = deadLetterHeaders({ traceparent: 'tp', 'message-id': 'm1' }, { error, attempts: 3, topic: 't', partition: 2, offset: '41', groupId: 'g', firstFailedAt: new Date('2026-01-01T00:00:00Z'), now: new Date('2026-01-01T00:00:05Z') });
    expect(h).toMatchObject({
      traceparent: 'tp',
      'message-id': 'm1',
      [DLT_HEADER.errorCode]: 'INVOICE_BROKEN',
      [DLT_HEADER.retriable]: 'false',
      [DLT_HEADER.attempts]: '3',
      [DLT_HEADER.originalTopic]: 't',
      [DLT_HEADER.originalPartition]: '2',
      [DLT_HEADER.originalOffset]: '41',
      [DLT_HEADER.firstFailedAt]: '2026-01-01T00:00:00.000Z',
      [DLT_HEADER.deadLetteredAt]: '2026-01-01T00:00:05.000Z',
    });
    expect(h[DLT_HEADER.errorMessage]).toHaveLength(2_000);
  });
});
