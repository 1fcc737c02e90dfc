import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import type { KsefContextRepository, KsefContextRow } from '../contexts/ksef-context.repository';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import type { KsefSessions } from './ksef-sessions';
import type { SendInvoiceProcessor } from './send-invoice.processor';
import { LeaseLostError, type SendJobRepository } from './send-job.repository';

export interface SchedulerOptions {
  pollIntervalMs: number;
  /** Jobs one context claims per round. */
  batchSize: number;
  /** Lease of a context and of its claimed jobs. */
  leaseMs: number;
  /** Contexts one instance works on per round (in parallel). */
  contextsPerRound: number;
}

/**
 * The sender's loop: every `pollIntervalMs` it leases contexts with due jobs (one instance per context at a time,
 * `FOR UPDATE SKIP LOCKED`), claims each context's due jobs and sends them one after another through that context's
 * session (the client's rate limiter spaces the calls). While the circuit is open nothing is claimed, so no attempt
 * is burned on a KSeF that does not answer.
 */
export class SendScheduler {
  readonly owner = `sender-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly contexts: KsefContextRepository,
    private readonly jobs: SendJobRepository,
    private readonly processor: SendInvoiceProcessor,
    private readonly breaker: CircuitBreaker,
    private readonly sessions: KsefSessions,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the current round (in-flight sends finish and are recorded), then gives the leases back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await withTransaction(this.dataSource, (m) => this.contexts.release(m, this.owner)).catch((err: unknown) => this.logger.warn({ err }, 'releasing context leases failed'));
  }

  /** One round; public for tests. */
  async runOnce(): Promise<number> {
    if (this.breaker.state === 'open') return 0;
    await this.sessions.closeIdle();
    const leased = await withTransaction(this.dataSource, (m) => this.contexts.leaseDue(m, this.jobs.jobs, this.owner, this.options.leaseMs, this.options.contextsPerRound));
    const counts = await Promise.all(leased.map((context) => this.runContext(context)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async runContext(context: KsefContextRow): Promise<number> {
    const claimed = await withTransaction(this.dataSource, (m) => this.jobs.claimDue(m, context.nip, this.options.batchSize, this.options.leaseMs));
    let done = 0;
    for (const job of claimed) {
      if (this.stopped || !this.breaker.tryAcquire()) break;
      try {
        // The whole batch was claimed at once: extend this job's lease now, so a slow KSeF earlier in the batch cannot
        // let it expire mid-send (another scheduler would then take it as interrupted).
        if (await withTransaction(this.dataSource, (m) => this.jobs.renewLease(m, job, this.options.leaseMs))) await this.processor.process(context, job);
      } catch (err) {
        // Recording the outcome failed (database down) or the claim was lost: nothing was written for this attempt.
        // The job is taken up again after its lease, reconciling first if its send had left.
        if (err instanceof LeaseLostError) this.logger.warn({ invoiceId: job.invoiceId }, err.message);
        else this.logger.error({ err, invoiceId: job.invoiceId }, 'send attempt could not be recorded');
      } finally {
        // A half-open circuit's probe that never reached KSeF must not keep the circuit closed to everyone.
        this.breaker.release();
      }
      done += 1;
    }
    const untouched = claimed.slice(done);
    if (untouched.length) await withTransaction(this.dataSource, (m) => this.jobs.release(m, untouched));
    return done;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'sender scheduler round failed');
          return 0;
        })
        .then((count) => this.schedule(count > 0 ? 0 : this.options.pollIntervalMs));
    }, delayMs);
  }
}
