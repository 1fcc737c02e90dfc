import type { EntityManager } from 'typeorm';
import { envelopeSchema, type Envelope } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import { quoteSchema } from './sql-names';

export interface OutgoingMessage {
  topic: string;
  envelope: Envelope;
}

/**
 * Writes events to the outbox through the caller's transaction (`manager`), so the business change and its events
 * commit or roll back together: there is no dual write. The relay publishes them afterwards.
 */
export class OutboxWriter {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${quoteSchema(schema)}.outbox`;
  }

  /** Inserts every message in one statement, in order (their relative order is kept per aggregate). */
  async enqueue(manager: EntityManager, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    for (const m of messages) {
      // A malformed envelope would be poison downstream: refuse it here, inside the business transaction.
      const parsed = envelopeSchema.safeParse(m.envelope);
      if (!parsed.success) throw new ValidationError(`outbox envelope for ${m.topic} is invalid: ${parsed.error.message}`);
    }
    // unnest WITH ORDINALITY keeps the callers' order in the bigserial `seq` the relay orders by.
    await manager.query(
      `INSERT INTO ${this.table} (id, topic, aggregate_id, envelope)
       SELECT id, topic, aggregate_id, envelope
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS t(id, topic, aggregate_id, envelope, n)
       ORDER BY n`,
      [messages.map((m) => m.envelope.id), messages.map((m) => m.topic), messages.map((m) => m.envelope.aggregateId), messages.map((m) => JSON.stringify(m.envelope))],
    );
  }
}
