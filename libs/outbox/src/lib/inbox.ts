import type { DataSource, EntityManager } from 'typeorm';
import type { BatchMessageHandler, ReceivedMessage } from '@ksef-bridge/kafka';
import { withTransaction } from '@ksef-bridge/persistence';
import { quoteSchema } from './sql-names';

/**
 * Idempotent consumption: a message id is recorded in the same transaction as the message's effect (and the outbox
 * rows it writes). A redelivered message finds its id and has no second effect. Kafka offsets are committed by the
 * consumer runner only after that transaction committed.
 */
export class Inbox {
  private readonly table: string;

  /** `consumer` names the effect (usually the consumer group), so two consumers of one topic dedupe separately. */
  constructor(
    schema: string,
    private readonly consumer: string,
  ) {
    this.table = `${quoteSchema(schema)}.inbox`;
  }

  /** Within the caller's transaction: records the ids and returns, in order, only the messages not seen before. */
  async claim(manager: EntityManager, messages: readonly ReceivedMessage[]): Promise<ReceivedMessage[]> {
    const firstOfEach = new Map<string, ReceivedMessage>();
    for (const m of messages) if (!firstOfEach.has(m.envelope.id)) firstOfEach.set(m.envelope.id, m);
    const unique = [...firstOfEach.values()];
    if (unique.length === 0) return [];
    const inserted: Array<{ message_id: string }> = await manager.query(
      `INSERT INTO ${this.table} (consumer, message_id, topic, kafka_partition, kafka_offset)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
       ON CONFLICT (consumer, message_id) DO NOTHING
       RETURNING message_id`,
      [this.consumer, unique.map((m) => m.envelope.id), unique.map((m) => m.topic), unique.map((m) => m.partition), unique.map((m) => m.offset)],
    );
    const fresh = new Set(inserted.map((r) => r.message_id));
    return unique.filter((m) => fresh.has(m.envelope.id));
  }

  /** Deletes entries older than `olderThanMs` (keep it well above the topics' retention). Returns how many. */
  async purge(dataSource: DataSource, olderThanMs: number): Promise<number> {
    const result = await dataSource.query(`DELETE FROM ${this.table} WHERE consumer = $1 AND processed_at < now() - $2 * interval '1 millisecond'`, [this.consumer, olderThanMs]);
    return Number(result[1] ?? 0);
  }
}

/** Applies one new message inside the run's transaction; write follow-up events with `OutboxWriter` on `manager`. */
export type InboxEffect = (manager: EntityManager, message: ReceivedMessage) => Promise<void>;

/**
 * A consumer-runner handler doing inbox + effects in ONE transaction per run of messages (a Kafka batch), which is
 * what lets the pipeline reach its throughput target (one commit per batch, not per message). If one effect throws,
 * the whole run rolls back and the runner retries its messages one by one, isolating the poison one.
 */
export function inboxHandler(dataSource: DataSource, inbox: Inbox, effect: InboxEffect): BatchMessageHandler {
  return (messages) =>
    withTransaction(dataSource, async (manager) => {
      for (const message of await inbox.claim(manager, messages)) await effect(manager, message);
    });
}
