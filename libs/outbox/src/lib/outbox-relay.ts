import type { DataSource } from 'typeorm';
import type { Envelope } from '@ksef-bridge/contracts';
import { AppError, toAppError } from '@ksef-bridge/errors';
import type { KafkaLogSink, MessagePublisher } from '@ksef-bridge/kafka';
import { mapDatabaseError } from '@ksef-bridge/persistence';
import { quoteSchema, returnedRows } from './sql-names';

export interface OutboxRelayOptions {
  schema: string;
  /** Rows claimed per round. Default 500. */
  batchSize?: number;
  /** Lease on claimed rows; a relay that dies mid-publish releases them when it expires. Default 30 s. */
  leaseMs?: number;
  /** Idle wait between empty rounds (a `wake()` cuts it short). Default 100 ms. */
  pollIntervalMs?: number;
  /** Publish attempts of a row Kafka refuses permanently before it is parked. Default 5. */
  maxPermanentAttempts?: number;
  /** Backoff ceiling after a failed publish or database error. Default 10 s. */
  maxBackoffMs?: number;
  /** Sent rows are deleted after this long. Default 24 h. */
  retentionMs?: number;
  logger?: KafkaLogSink;
  metrics?: OutboxRelayMetrics;
}

/** Hooks for Prometheus counters (wired by the service). */
export interface OutboxRelayMetrics {
  published(count: number): void;
  failed(code: string, count: number): void;
  parked(count: number): void;
}

interface ClaimedRow {
  seq: string;
  topic: string;
  aggregate_id: string;
  envelope: Envelope;
  attempts: number;
}

export interface OutboxStats {
  pending: number;
  parked: number;
  oldestPendingAgeSeconds: number;
}

/**
 * Publishes outbox rows to Kafka, at least once and in order per aggregate:
 * - claims rows under a transaction-scoped advisory lock (replicas never claim the same row or race an aggregate),
 *   skipping any row whose aggregate has an earlier row still leased, backing off, or parked;
 * - marks rows sent only after Kafka acknowledged them (acks=all), so a crash or an outage loses nothing; a crash
 *   between ack and mark re-publishes, and consumers' inboxes drop the duplicate;
 * - backs off on failures, counts attempts, and parks rows Kafka keeps refusing (poison) instead of looping.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly opts: Required<Omit<OutboxRelayOptions, 'logger' | 'metrics'>>;
  private loop?: Promise<void>;
  private stopping = false;
  private wakeUp?: () => void;
  private lastPurge = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly options: OutboxRelayOptions,
  ) {
    this.table = `${quoteSchema(options.schema)}.outbox`;
    this.opts = {
      schema: options.schema,
      batchSize: options.batchSize ?? 500,
      leaseMs: options.leaseMs ?? 30_000,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      maxPermanentAttempts: options.maxPermanentAttempts ?? 5,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      retentionMs: options.retentionMs ?? 24 * 3600_000,
    };
  }

  /** Starts the background loop. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the round in progress (its rows are acked and marked, or released) and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Cuts the idle wait short, e.g. right after a transaction wrote outbox rows. */
  wake(): void {
    this.wakeUp?.();
  }

  /** One round: claim, publish, mark. Returns how many rows were published. */
  async relayOnce(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    return this.publishClaimed(rows);
  }

  async stats(): Promise<OutboxStats> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float AS oldest
       FROM ${this.table} WHERE sent_at IS NULL`,
    );
    return { pending: row.pending, parked: row.parked, oldestPendingAgeSeconds: row.oldest };
  }

  /** Puts parked rows back in the queue (an operator fixed the cause). Returns how many. */
  async requeueParked(ids?: string[]): Promise<number> {
    const result = await this.dataSource.query(
      `UPDATE ${this.table} SET parked_at = NULL, attempts = 0, locked_until = now() WHERE parked_at IS NOT NULL AND sent_at IS NULL ${ids ? 'AND id = ANY($1::uuid[])' : ''}`,
      ids ? [ids] : [],
    );
    return Number(result[1] ?? 0);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let published = 0;
      try {
        published = await this.relayOnce();
        await this.purgeIfDue();
        failures = 0;
      } catch (error) {
        failures++;
        // Errors here come from PostgreSQL (claim, mark) or are already mapped by the publisher.
        const e = error instanceof AppError ? error : mapDatabaseError(error);
        this.options.logger?.warn({ code: e.code, message: e.message, failures }, 'outbox relay round failed; backing off');
        await this.idle(Math.min(this.opts.maxBackoffMs, 100 * 2 ** Math.min(failures, 10)));
        continue;
      }
      if (published < this.opts.batchSize) await this.idle(published === 0 ? this.opts.pollIntervalMs : 0);
    }
  }

  private idle(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async claim(): Promise<ClaimedRow[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
      const result: unknown = await m.query(
        `WITH picked AS (
           SELECT o.seq FROM ${this.table} o
           WHERE o.sent_at IS NULL AND o.parked_at IS NULL AND o.locked_until <= now()
             AND NOT EXISTS (
               SELECT 1 FROM ${this.table} p
               WHERE p.aggregate_id = o.aggregate_id AND p.seq < o.seq AND p.sent_at IS NULL
                 AND (p.parked_at IS NOT NULL OR p.locked_until > now()))
           ORDER BY o.seq LIMIT $1)
         UPDATE ${this.table} o SET locked_until = now() + $2 * interval '1 millisecond', attempts = o.attempts + 1
         FROM picked WHERE o.seq = picked.seq
         RETURNING o.seq::text AS seq, o.topic, o.aggregate_id, o.envelope, o.attempts`,
        [this.opts.batchSize, this.opts.leaseMs],
      );
      return returnedRows<ClaimedRow>(result).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    });
  }

  private async publishClaimed(rows: ClaimedRow[]): Promise<number> {
    try {
      await this.publisher.publishBatch(rows.map((r) => ({ topic: r.topic, envelope: r.envelope })));
      await this.markSent(rows);
      return rows.length;
    } catch (error) {
      const e = toAppError(error);
      if (e.retriable || rows.length === 1) {
        await this.markFailed(rows, e);
        return 0;
      }
      return this.publishOneByOne(rows);
    }
  }

  /** Isolates a poison row in a batch Kafka refused; keeps per-aggregate order by holding back the rest of its aggregate. */
  private async publishOneByOne(rows: ClaimedRow[]): Promise<number> {
    const blocked = new Set<string>();
    const held: ClaimedRow[] = [];
    let published = 0;
    for (const row of rows) {
      if (blocked.has(row.aggregate_id)) {
        held.push(row);
        continue;
      }
      try {
        await this.publisher.publish(row.topic, row.envelope);
        await this.markSent([row]);
        published++;
      } catch (error) {
        blocked.add(row.aggregate_id);
        await this.markFailed([row], toAppError(error));
      }
    }
    if (held.length) await this.dataSource.query(`UPDATE ${this.table} SET locked_until = now(), attempts = attempts - 1 WHERE seq = ANY($1::bigint[])`, [held.map((r) => r.seq)]);
    return published;
  }

  private async markSent(rows: ClaimedRow[]): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.table} SET sent_at = now(), last_error = NULL, last_error_code = NULL WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
    this.options.metrics?.published(rows.length);
  }

  private async markFailed(rows: ClaimedRow[], error: AppError): Promise<void> {
    const park = rows.filter((r) => !error.retriable && r.attempts >= this.opts.maxPermanentAttempts);
    const retry = rows.filter((r) => !park.includes(r));
    const message = error.message.slice(0, 2_000);
    if (park.length) {
      await this.dataSource.query(`UPDATE ${this.table} SET parked_at = now(), last_error = $2, last_error_code = $3 WHERE seq = ANY($1::bigint[])`, [park.map((r) => r.seq), message, error.code]);
      this.options.logger?.error({ code: error.code, ids: park.map((r) => r.envelope.id) }, 'outbox rows parked: Kafka keeps refusing them');
      this.options.metrics?.parked(park.length);
    }
    if (retry.length) {
      // Full-jitter backoff per row, growing with its attempts; computed in SQL so a batch costs one statement.
      await this.dataSource.query(
        `UPDATE ${this.table}
         SET locked_until = now() + floor(random() * LEAST($2::float, 200 * power(2, LEAST(attempts, 12)))) * interval '1 millisecond',
             last_error = $3, last_error_code = $4
         WHERE seq = ANY($1::bigint[])`,
        [retry.map((r) => r.seq), this.opts.maxBackoffMs, message, error.code],
      );
    }
    this.options.metrics?.failed(error.code, rows.length);
    this.options.logger?.warn({ code: error.code, rows: rows.length }, 'outbox publish failed');
  }

  private async purgeIfDue(): Promise<void> {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE seq IN (SELECT seq FROM ${this.table} WHERE sent_at < now() - $1 * interval '1 millisecond' LIMIT 10000)`,
      [this.opts.retentionMs],
    );
  }
}
