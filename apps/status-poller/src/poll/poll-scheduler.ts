import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import type { StatusPollerSettings } from '../status-poller.settings';
import type { PollPlanRepository, PollRow } from './poll-plan.repository';
import type { PollProcessor } from './poll-processor';

/**
 * The poller's loop, apart from any Kafka consumer: every `intervalMs` it claims due rows (`FOR UPDATE SKIP LOCKED`,
 * a lease and a claim token each, so several instances share the table without double work), groups rows waiting
 * for a verdict by context and session (one KSeF listing per session), and fetches UPOs of accepted rows.
 * A row whose lease runs out (the instance died, even by SIGKILL) is claimed again by any instance.
 */
export class PollScheduler {
  readonly owner = `status-poller-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PollPlanRepository,
    private readonly processor: PollProcessor,
    private readonly options: StatusPollerSettings['scheduler'],
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the current round (its outcomes are recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round; the number of rows worked on. Public for tests. */
  async runOnce(): Promise<number> {
    const claimed = await withTransaction(this.dataSource, (m) => this.plans.claimDue(m, this.options.batchSize, this.options.leaseMs));
    if (claimed.length === 0) return 0;
    const units: Array<{ rows: PollRow[]; run: () => Promise<void> }> = [];
    const sessions = new Map<string, PollRow[]>();
    for (const row of claimed) {
      if (row.state !== 'WAITING') {
        units.push({ rows: [row], run: () => this.processor.upo(row) });
        continue;
      }
      const key = `${row.contextNip}|${row.sessionReferenceNumber}`;
      sessions.set(key, [...(sessions.get(key) ?? []), row]);
    }
    for (const rows of sessions.values()) units.push({ rows, run: () => this.processor.verdicts(rows[0].contextNip, rows[0].sessionReferenceNumber, rows) });

    const untouched: PollRow[] = [];
    let next = 0;
    const worker = async () => {
      while (next < units.length) {
        const unit = units[next++];
        if (this.stopped) {
          untouched.push(...unit.rows);
          continue;
        }
        try {
          await unit.run();
        } catch (err) {
          this.logger.error({ err, invoices: unit.rows.map((r) => r.invoiceId) }, 'poll unit failed; its rows are polled again after their lease');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallelSessions, units.length) }, worker));
    // Shutting down: rows not worked on go back at once (no poll counted), instead of waiting out their lease.
    if (untouched.length) await withTransaction(this.dataSource, (m) => this.plans.release(m, untouched)).catch((err: unknown) => this.logger.warn({ err }, 'releasing poll leases failed'));
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'status-poller round failed');
          return 0;
        })
        .then((count) => this.schedule(count >= this.options.batchSize ? 0 : this.options.intervalMs));
    }, delayMs);
  }
}
