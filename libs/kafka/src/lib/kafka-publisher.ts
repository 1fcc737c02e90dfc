import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { KafkaJSError, type Producer } from 'kafkajs';
import { HEADER, type Envelope } from '@ksef-bridge/contracts';
import { PermanentError, TransientError } from '@ksef-bridge/errors';
import type { KafkaClient } from './kafka-client';
import type { MessagePublisher } from './ports';
import { toWire } from './wire-format';

const tracer = trace.getTracer('ksef-bridge.kafka');

/**
 * Idempotent producer (acks=all): a retry inside the producer cannot duplicate a message on the broker.
 * `publish` resolves only after the broker acknowledged every message.
 */
export class KafkaPublisher implements MessagePublisher {
  private producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly client: KafkaClient) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.client.raw.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw mapError(error);
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }

  publish(topic: string, envelope: Envelope): Promise<void> {
    return this.publishBatch([{ topic, envelope }]);
  }

  async publishBatch(messages: ReadonlyArray<{ topic: string; envelope: Envelope }>): Promise<void> {
    try {
      await this.publishOnce(messages);
    } catch (error) {
      if (!(error instanceof PermanentError && error.code === 'KAFKA_TOPIC_UNKNOWN')) throw error;
      // kafkajs remembers every topic a producer ever sent to and asks the broker for all of them on each metadata
      // refresh; once one of them is deleted, that refresh fails for every topic, forever. A fresh producer forgets
      // them, so one retry tells "this topic is missing" apart from "some other topic was deleted".
      await this.renewProducer();
      await this.publishOnce(messages);
    }
  }

  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.connected = undefined;
    await old.disconnect().catch(() => undefined);
  }

  private async publishOnce(messages: ReadonlyArray<{ topic: string; envelope: Envelope }>): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const spans = messages.map(({ topic, envelope }) => {
      // Keep a stored traceparent (e.g. restored from an outbox row); otherwise continue the active context.
      const parent = envelope.headers[HEADER.traceparent] ? propagation.extract(context.active(), envelope.headers) : context.active();
      const span = tracer.startSpan(
        `${topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': topic,
            'messaging.message.id': envelope.id,
            'messaging.kafka.message.key': envelope.aggregateId,
          },
        },
        parent,
      );
      const headers: Record<string, string> = { ...envelope.headers };
      propagation.inject(trace.setSpan(parent, span), headers);
      return { topic, span, wire: toWire({ ...envelope, headers }) };
    });
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const { topic, wire } of spans) byTopic.set(topic, [...(byTopic.get(topic) ?? []), wire]);
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
      spans.forEach(({ span }) => span.end());
    } catch (error) {
      const mapped = mapError(error);
      spans.forEach(({ span }) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.code });
        span.end();
      });
      throw mapped;
    }
  }
}

/** Kafka error types that retrying the same request cannot fix once kafkajs' own retries are exhausted. */
const PERMANENT_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_TOPIC_EXCEPTION']);

/**
 * kafkajs marks its errors retriable or not; we keep that judgement in our taxonomy, with one refinement: a topic
 * that still does not exist after kafkajs' retries (auto-creation is off) is a deployment error, not an outage.
 */
export function mapError(error: unknown): TransientError | PermanentError {
  const message = error instanceof Error ? error.message : String(error);
  const type = protocolErrorType(error);
  if (type && PERMANENT_TYPES.has(type)) {
    return new PermanentError(type === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'KAFKA_TOPIC_UNKNOWN' : 'KAFKA_PUBLISH_REJECTED', message, { cause: error, details: { kafkaErrorType: type } });
  }
  if (error instanceof KafkaJSError && !error.retriable && error.name !== 'KafkaJSNumberOfRetriesExceeded' && error.name !== 'KafkaJSConnectionError') {
    return new PermanentError('KAFKA_PUBLISH_REJECTED', message, { cause: error });
  }
  return new TransientError('KAFKA_PUBLISH_FAILED', message, { cause: error });
}

/** The Kafka protocol error type (e.g. UNKNOWN_TOPIC_OR_PARTITION) anywhere in kafkajs' cause chain. */
function protocolErrorType(error: unknown): string | undefined {
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return undefined;
}
