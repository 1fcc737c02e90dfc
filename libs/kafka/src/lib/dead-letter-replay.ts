import { randomUUID } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from '@ksef-bridge/contracts';
import type { KafkaClient } from './kafka-client';
import { DLT_HEADER } from './dead-letter';

export interface ReplayOptions {
  /** The original topic, e.g. `ksef.invoice.validated.v1`; its `.dlt` twin is read. */
  topic: string;
  /** Only messages dead-lettered with one of these error codes (`dlt-error-code`); default: all. */
  codes?: readonly string[];
  /** Only messages dead-lettered at or after this time. */
  since?: Date;
  /** Count and describe, publish nothing. */
  dryRun?: boolean;
}

export interface ReplayResult {
  /** Messages read from the dead-letter topic (up to its end when the replay started). */
  scanned: number;
  /** Messages published back to the original topic (or that would be, with dryRun). */
  replayed: number;
  /** Replayed messages by their dead-letter error code. */
  byCode: Record<string, number>;
}

/** The header a replayed message carries: where it came from, so a second failure is traceable to the first. */
export const REPLAYED_FROM_HEADER = 'dlt-replayed-from';

/**
 * Publishes dead-lettered messages back to their original topic, with their original key, value and headers (the
 * `dlt-*` facts removed, `dlt-replayed-from: <dlt partition>:<offset>` added), for an operator who fixed the cause.
 * Safe to repeat: every consumer applies a message id once (inbox), so a message replayed twice changes nothing the
 * second time. Reads only up to the dead-letter topic's end as it was at the start, so a message that fails again
 * and is dead-lettered anew is not replayed in the same run.
 */
export async function replayDeadLetters(client: KafkaClient, options: ReplayOptions): Promise<ReplayResult> {
  const dlt = deadLetterTopic(options.topic);
  const admin = client.raw.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(dlt)) if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const result: ReplayResult = { scanned: 0, replayed: 0, byCode: {} };
  if (ends.size === 0) return result;

  const producer = client.raw.producer({ idempotent: true, maxInFlightRequests: 1 });
  // A throw-away group: the replay must not move any real consumer's offsets, and always starts at the beginning.
  const consumer = client.raw.consumer({ groupId: `dlt-replay-${randomUUID()}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic: dlt, fromBeginning: true });
    const remaining = new Set(ends.keys());
    let failure: unknown;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          try {
            result.scanned += 1;
            if (selected(message, options)) {
              const code = header(message, DLT_HEADER.errorCode) ?? 'unknown';
              result.byCode[code] = (result.byCode[code] ?? 0) + 1;
              result.replayed += 1;
              if (!options.dryRun) await producer.send({ topic: options.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: originalHeaders(message, partition) }] });
            }
          } catch (error) {
            failure = error;
            remaining.clear();
          }
          if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      });
    });
    await done;
    if (failure) throw failure;
    return result;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

function header(message: KafkaMessage, key: string): string | undefined {
  const value = message.headers?.[key];
  return value === undefined ? undefined : Array.isArray(value) ? value[0]?.toString() : value.toString();
}

function selected(message: KafkaMessage, options: ReplayOptions): boolean {
  if (options.codes?.length && !options.codes.includes(header(message, DLT_HEADER.errorCode) ?? '')) return false;
  if (options.since) {
    const at = Date.parse(header(message, DLT_HEADER.deadLetteredAt) ?? '');
    if (!(at >= options.since.getTime())) return false;
  }
  return true;
}

function originalHeaders(message: KafkaMessage, partition: number): IHeaders {
  const headers: IHeaders = {};
  for (const [key, value] of Object.entries(message.headers ?? {})) if (!key.startsWith('dlt-') && value !== undefined) headers[key] = value;
  headers[REPLAYED_FROM_HEADER] = `${partition}:${message.offset}`;
  return headers;
}
