import type { Envelope } from '@ksef-bridge/contracts';

/**
 * Our Kafka port. Nothing outside libs/kafka imports kafkajs, so the client can be swapped
 * (kafkajs is unmaintained since 2023; see README "Architecture").
 *
 * Wire format: key = envelope.aggregateId, value = JSON of the envelope without `headers`,
 * Kafka headers = envelope.headers plus message-id / message-type / message-version / tenant.
 */
export interface MessagePublisher {
  /** Publishes one envelope to `topic` and resolves only after the broker acknowledged it (acks=all). */
  publish(topic: string, envelope: Envelope): Promise<void>;
  /** Publishes many envelopes (possibly to several topics) in one round trip; resolves after every ack. */
  publishBatch(messages: ReadonlyArray<{ topic: string; envelope: Envelope }>): Promise<void>;
}

/** A message as a handler sees it: the validated envelope plus where it came from. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  envelope: Envelope;
  /** Delivery attempt by this runner (1-based); survives only in-process retries. */
  attempt: number;
  /**
   * W3C traceparent of this message's consumer span. Put it in the headers of every envelope the handler writes
   * (e.g. to the outbox) so the trace continues through the next hop.
   */
  traceparent?: string;
}

/** A handler applies one message. Throw an AppError: retriable errors are retried with backoff, others go to the DLT. */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

/** A batch handler applies many messages of one partition in order (e.g. one DB transaction per batch). */
export type BatchMessageHandler = (messages: ReceivedMessage[]) => Promise<void>;

export interface RetryPolicy {
  /** Attempts before a retriable error dead-letters the message. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles each attempt (full jitter). Default 200 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 30 s. */
  maxDelayMs?: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /**
   * Applies a run of messages of one partition, in order, typically in one DB transaction (inbox + effect + outbox).
   * If it throws for a run of several messages, the runner retries them one by one, so one poison message is
   * isolated and dead-lettered while the others are applied.
   */
  handler: BatchMessageHandler;
  retry?: RetryPolicy;
  /** Largest run handed to `handler` at once. Default 500. */
  maxBatchSize?: number;
  /** Partitions processed in parallel by this instance. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Where a new group starts. Default false (latest); our services use true. */
  fromBeginning?: boolean;
}

/** Runs handlers under the error taxonomy; commits offsets only after the handler (and its DB transaction) finished. */
export interface ConsumerRunner {
  start(): Promise<void>;
  /** Stops fetching, finishes in-flight messages, commits offsets, disconnects. */
  stop(): Promise<void>;
}

/** Liveness of the broker connection, for readiness probes. */
export interface KafkaHealthIndicator {
  /** Resolves if the broker answers a metadata request within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
}
