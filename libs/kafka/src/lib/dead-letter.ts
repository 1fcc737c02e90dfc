import type { AppError } from '@ksef-bridge/errors';

/** Headers added to a dead-lettered message, next to all of its original headers. */
export const DLT_HEADER = {
  errorCode: 'dlt-error-code',
  errorMessage: 'dlt-error-message',
  retriable: 'dlt-error-retriable',
  attempts: 'dlt-attempts',
  originalTopic: 'dlt-original-topic',
  originalPartition: 'dlt-original-partition',
  originalOffset: 'dlt-original-offset',
  firstFailedAt: 'dlt-first-failed-at',
  deadLetteredAt: 'dlt-dead-lettered-at',
  consumerGroup: 'dlt-consumer-group',
} as const;

export interface DeadLetterFacts {
  error: AppError;
  attempts: number;
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  firstFailedAt: Date;
  now?: Date;
}

/** Longest error message kept in a header: enough to diagnose, never a whole payload echoed back. */
const MAX_MESSAGE_CHARS = 2_000;

/** The original headers plus what an operator needs to understand and replay the message. */
export function deadLetterHeaders(original: Record<string, string>, facts: DeadLetterFacts): Record<string, string> {
  return {
    ...original,
    [DLT_HEADER.errorCode]: facts.error.code,
    [DLT_HEADER.errorMessage]: facts.error.message.slice(0, MAX_MESSAGE_CHARS),
    [DLT_HEADER.retriable]: String(facts.error.retriable),
    [DLT_HEADER.attempts]: String(facts.attempts),
    [DLT_HEADER.originalTopic]: facts.topic,
    [DLT_HEADER.originalPartition]: String(facts.partition),
    [DLT_HEADER.originalOffset]: facts.offset,
    [DLT_HEADER.firstFailedAt]: facts.firstFailedAt.toISOString(),
    [DLT_HEADER.deadLetteredAt]: (facts.now ?? new Date()).toISOString(),
    [DLT_HEADER.consumerGroup]: facts.groupId,
  };
}
