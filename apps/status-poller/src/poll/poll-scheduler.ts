import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import type { StatusPollerSettings } from '../status-poller.settings';
import type { PollPlanRepository, PollRow } from './poll-plan.repository';
import type { PollProcessor } from './poll-processor';
import { RoundLoop } from '@ksef-bridge/service-kit';

/**
 * The poller's loop, apart from any Kafka consumer: every `intervalMs` it claims due rows (`FOR UPDATE SKIP LOCKED`,
 * a lease and a claim token each, so several instances share the table without double work), groups rows waiting
 * for a verdict by context and session (one KSeF listing per session), and fetches UPOs of accepted rows.
 * A row whose lease runs out (the instance died, even by SIGKILL) is claimed again by any instance.
 */
export class PollScheduler {
  readonly owner = `status-poller-${randomUUID()}`;
  private readonly loop: RoundLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PollPlanRepository,
    private readonly processor: PollProcessor,
    private readonly options: StatusPollerSettings['scheduler'],
    private readonly logger: Logger,
  ) {
    this.loop = new RoundLoop('status-poller', () => this.runOnce(), (count) => (count >= this.options.batchSize ? 0 : this.options.intervalMs), logger);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the current round (its outcomes are recorded). */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round; the number of rows worked on. Public for tests. */
  async runOnce(): Promise<number> {
    const claimed = await withTransaction(this.dataSource, (m) => this.plans.claimDue(m, this.options.batchSize, this.options.leaseMs));
    if (claimed.length === 0) return 0;
    // Units of work: rows waiting for a verdict grouped by context and session (one listing), rows waiting for a UPO
    // grouped by context and the session that holds their UPO (one session UPO read when that pays).
    const sessions = new Map<string, PollRow[]>();
    for (const row of claimed) {
      const key = isVerdictRow(row) ? `v|${row.contextNip}|${row.sessionReferenceNumber}` : `u|${row.contextNip}|${row.upoSessionReferenceNumber ?? row.sessionReferenceNumber}`;
      const unit = sessions.get(key);
      if (unit) unit.push(row);
      else sessions.set(key, [row]);
    }
    const units: PollRow[][] = [...sessions.values()];

    const untouched: PollRow[] = [];
    let next = 0;
    const worker = async () => {
      while (next < units.length) {
        const unit = units[next++];
        if (this.loop.stopped) {
          untouched.push(...unit);
          continue;
        }
        try {
          // The round's rows were claimed at once: extend this unit's leases now, so KSeF waits (rate limits) earlier
          // in the round cannot hand its rows to another instance mid-work. Rows already taken over are skipped.
          const held = await withTransaction(this.dataSource, (m) => this.plans.renewLeases(m, unit, this.options.leaseMs));
          const rows = unit.filter((r) => held.has(r.invoiceId));
          if (rows.length === 0) continue;
          if (isVerdictRow(rows[0])) await this.processor.verdicts(rows[0].contextNip, rows[0].sessionReferenceNumber, rows);
          else await this.processor.upos(rows);
        } catch (err) {
          this.logger.error({ err, invoices: unit.map((r) => r.invoiceId) }, 'poll unit failed; its rows are polled again after their lease');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallelSessions, units.length) }, worker));
    // Shutting down: rows not worked on go back at once (no poll counted), instead of waiting out their lease.
    if (untouched.length) await withTransaction(this.dataSource, (m) => this.plans.release(m, untouched)).catch((err: unknown) => this.logger.warn({ err }, 'releasing poll leases failed'));
    return claimed.length;
  }

}

/** Rows polled for a verdict: WAITING, and watched escalations without a KSeF number (the others wait for a UPO). */
function isVerdictRow(row: PollRow): boolean {
  return row.state === 'WAITING' || (row.state === 'ESCALATED' && row.ksefNumber === null);
}
