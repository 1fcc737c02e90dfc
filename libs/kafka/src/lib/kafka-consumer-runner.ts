import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Batch, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic } from '@ksef-bridge/contracts';
import { isDependencyOutage, toAppError, type AppError } from '@ksef-bridge/errors';
import { backoffDelay, DEFAULT_RETRY } from './backoff';
import { deadLetterHeaders } from './dead-letter';
import type { KafkaClient, KafkaLogSink } from './kafka-client';
import type { ConsumerOptions, ConsumerRunner, ReceivedMessage, RetryPolicy } from './ports';
import { fromWire } from './wire-format';

const tracer = trace.getTracer('ksef-bridge.kafka');

/** Counts what happened to consumed messages; wire it to Prometheus counters (observability lib) in services. */
export interface ConsumerMetrics {
  processed(topic: string, count: number): void;
  retried(topic: string, code: string): void;
  deadLettered(topic: string, code: string): void;
}

export interface KafkaConsumerRunnerOptions extends ConsumerOptions {
  logger?: KafkaLogSink;
  metrics?: ConsumerMetrics;
  /** Injected for tests; default Math.random. */
  random?: () => number;
}

/** A consumed message before the handler: parsed envelope, or the reason it could not be parsed. */
type Incoming = { raw: KafkaMessage; headers: Record<string, string>; message?: ReceivedMessage; parseError?: AppError };

/**
 * Runs a handler under the error taxonomy (CONVENTIONS.md "Error taxonomy drives retry"):
 * - offsets are committed only after the handler (and its DB transaction) finished, so a crash redelivers;
 * - retriable errors back off with full jitter up to `retry.maxAttempts`, then dead-letter; an outage of our own
 *   infrastructure (`DependencyUnavailableError`, e.g. PostgreSQL down) backs off for as long as it lasts instead;
 * - non-retriable errors and unparseable messages go to `<topic>.dlt` at once, with the original headers plus
 *   error code, message, attempts and timestamps; the partition moves on (a poison message never blocks it).
 */
export class KafkaConsumerRunner implements ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly dltProducer: Producer;
  private readonly retry: Required<RetryPolicy>;
  private running = false;

  constructor(
    client: KafkaClient,
    private readonly options: KafkaConsumerRunnerOptions,
  ) {
    this.consumer = client.raw.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, retry: { retries: 10 } });
    this.dltProducer = client.raw.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.dltProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** kafkajs' disconnect waits for the batch in progress; the handler loop stops between messages. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
    await this.dltProducer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const incoming = batch.messages.map((raw) => this.parse(batch, raw));
    const max = this.options.maxBatchSize ?? 500;
    let i = 0;
    while (i < incoming.length && payload.isRunning() && !payload.isStale()) {
      const first = incoming[i];
      if (first.parseError) {
        await this.deadLetter(batch, first, first.parseError, 1, new Date());
        await this.commit(payload, batch, first.raw.offset);
        i++;
        continue;
      }
      const run: Incoming[] = [];
      while (i < incoming.length && run.length < max && !incoming[i].parseError) run.push(incoming[i++]);
      const done = await this.applyRun(payload, batch, run);
      if (!done) return; // stopping or rebalancing: uncommitted messages are redelivered
    }
  }

  private parse(batch: Batch, raw: KafkaMessage): Incoming {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
    try {
      const envelope = fromWire(raw.value, headers);
      const message: ReceivedMessage = { topic: batch.topic, partition: batch.partition, offset: raw.offset, key: raw.key?.toString() ?? null, envelope, attempt: 1 };
      return { raw, headers, message };
    } catch (error) {
      return { raw, headers, parseError: toAppError(error) };
    }
  }

  /** Applies a run in one handler call; on failure isolates each message. Returns false if interrupted. */
  private async applyRun(payload: EachBatchPayload, batch: Batch, run: Incoming[]): Promise<boolean> {
    if (run.length > 1) {
      const ok = await this.traced(batch.topic, run, async (messages) => {
        try {
          await this.options.handler(messages);
          return true;
        } catch (error) {
          this.options.logger?.warn({ topic: batch.topic, partition: batch.partition, size: run.length, code: toAppError(error).code }, 'batch failed; applying its messages one by one');
          return false;
        }
      });
      if (ok) {
        this.options.metrics?.processed(batch.topic, run.length);
        await this.commit(payload, batch, run[run.length - 1].raw.offset);
        return true;
      }
    }
    for (const one of run) {
      if (!(await this.applyOne(payload, batch, one))) return false;
      await this.commit(payload, batch, one.raw.offset);
    }
    return true;
  }

  /** One message with retries; dead-letters it when retries are exhausted or the error is permanent. */
  private async applyOne(payload: EachBatchPayload, batch: Batch, one: Incoming): Promise<boolean> {
    const firstFailedAt = new Date();
    for (let attempt = 1; ; attempt++) {
      const message = { ...one.message!, attempt };
      const error = await this.traced(batch.topic, [{ ...one, message }], async ([m]) => {
        try {
          await this.options.handler([m]);
          return undefined;
        } catch (e) {
          return toAppError(e);
        }
      });
      if (!error) {
        this.options.metrics?.processed(batch.topic, 1);
        return true;
      }
      // Our own database being down is no reason to park a good message: wait it out (capped backoff, heartbeats).
      if (!error.retriable || (attempt >= this.retry.maxAttempts && !isDependencyOutage(error))) {
        this.options.logger?.error({ topic: batch.topic, partition: batch.partition, offset: one.raw.offset, code: error.code, attempt }, 'message dead-lettered');
        await this.deadLetter(batch, one, error, attempt, firstFailedAt);
        return true;
      }
      this.options.metrics?.retried(batch.topic, error.code);
      this.options.logger?.warn({ topic: batch.topic, partition: batch.partition, offset: one.raw.offset, code: error.code, attempt }, 'retriable failure; backing off');
      if (!(await this.sleep(payload, backoffDelay(attempt, this.retry, this.options.random)))) return false;
    }
  }

  /** Sleeps in short steps, heartbeating, so a long backoff neither loses the group membership nor delays a stop. */
  private async sleep(payload: EachBatchPayload, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!payload.isRunning() || payload.isStale()) return false;
      await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
      await payload.heartbeat().catch(() => undefined);
    }
    return payload.isRunning() && !payload.isStale();
  }

  private async deadLetter(batch: Batch, one: Incoming, error: AppError, attempts: number, firstFailedAt: Date): Promise<void> {
    const headers = deadLetterHeaders(one.headers, { error, attempts, topic: batch.topic, partition: batch.partition, offset: one.raw.offset, groupId: this.options.groupId, firstFailedAt });
    // Awaits the broker's ack: the offset is committed only once the message is safe in the DLT.
    await this.dltProducer.send({ topic: deadLetterTopic(batch.topic), acks: -1, messages: [{ key: one.raw.key, value: one.raw.value, headers }] });
    this.options.metrics?.deadLettered(batch.topic, error.code);
  }

  private async commit(payload: EachBatchPayload, batch: Batch, offset: string): Promise<void> {
    payload.resolveOffset(offset);
    await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }]);
  }

  /** One consumer span per message, child of the producer's context carried in the headers. */
  private async traced<T>(topic: string, run: Incoming[], fn: (messages: ReceivedMessage[]) => Promise<T>): Promise<T> {
    const spans: Span[] = [];
    const messages = run.map((one) => {
      const parent = propagation.extract(context.active(), one.headers);
      const span = tracer.startSpan(
        `${topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': topic,
            'messaging.consumer.group.name': this.options.groupId,
            'messaging.message.id': one.message!.envelope.id,
            'messaging.kafka.offset': Number(one.raw.offset),
          },
        },
        parent,
      );
      spans.push(span);
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(parent, span), carrier);
      return { ...one.message!, traceparent: carrier['traceparent'] };
    });
    try {
      // With one message the handler runs inside its span, so DB and HTTP spans nest under it.
      const result = await context.with(trace.setSpan(context.active(), spans[0]), () => fn(messages));
      if (result === false || (result as unknown) instanceof Error) spans.forEach((s) => s.setStatus({ code: SpanStatusCode.ERROR }));
      return result;
    } finally {
      spans.forEach((s) => s.end());
    }
  }
}
