import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTraceOf, type Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import type { KsefContextRepository, KsefContextRow } from '../contexts/ksef-context.repository';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import { selectBatch, wantsBatch, type BatchSettings } from './batch-policy';
import type { BatchSendProcessor } from './batch-send.processor';
import type { KsefSessions } from './ksef-sessions';
import { OfflineDeadlineSweep } from './offline-deadline-sweep';
import type { SendInvoiceProcessor } from './send-invoice.processor';
import { LeaseLostError, type SendJob, type SendJobRepository } from './send-job.repository';
import { RoundLoop } from '@ksef-bridge/service-kit';

export interface SchedulerOptions {
  pollIntervalMs: number;
  /** Jobs one context claims per round. */
  batchSize: number;
  /** Lease of a context and of its claimed jobs. */
  leaseMs: number;
  /** Contexts one instance works on per round (in parallel). */
  contextsPerRound: number;
  /** How often pending offline deadlines are looked at (they resolve once KSeF is AVAILABLE again); default 5 s. */
  deadlineRecheckMs?: number;
  /** Offline jobs whose deadline one round re-evaluates after KSeF's announced failures changed; default 500. */
  deadlineSweepBatch?: number;
}

const DEFAULT_DEADLINE_RECHECK_MS = 5_000;

/** The batch path: its processor, thresholds, and the attempt limit (exhausted jobs are escalated individually). */
export interface SchedulerBatch {
  processor: BatchSendProcessor;
  settings: BatchSettings;
  maxAttempts: number;
}

/**
 * The sender's loop: every `pollIntervalMs` it leases contexts with due jobs (one instance per context at a time,
 * `FOR UPDATE SKIP LOCKED`), claims each context's due jobs and sends them one after another through that context's
 * session (the client's rate limiter spaces the calls). While the circuit is open nothing is claimed, so no attempt
 * is burned on a KSeF that does not answer.
 */
export class SendScheduler {
  readonly owner = `sender-${randomUUID()}`;
  private readonly loop: RoundLoop;
  private deadlinesCheckedAt = 0;
  private readonly deadlineSweep: OfflineDeadlineSweep;

  constructor(
    private readonly dataSource: DataSource,
    private readonly contexts: KsefContextRepository,
    private readonly jobs: SendJobRepository,
    private readonly processor: SendInvoiceProcessor,
    private readonly breaker: CircuitBreaker,
    private readonly sessions: KsefSessions,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
    private readonly batch?: SchedulerBatch,
  ) {
    this.deadlineSweep = new OfflineDeadlineSweep(jobs.offline, options.deadlineSweepBatch ?? 500, logger);
    this.loop = new RoundLoop('sender scheduler', () => this.runOnce(), (count) => (count > 0 ? 0 : this.options.pollIntervalMs), logger);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the current round (in-flight sends finish and are recorded), then gives the leases back. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await withTransaction(this.dataSource, (m) => this.contexts.release(m, this.owner)).catch((err: unknown) => this.logger.warn({ err }, 'releasing context leases failed'));
  }

  /** One round; public for tests. */
  async runOnce(): Promise<number> {
    await this.resolvePendingDeadlines();
    if (this.breaker.state === 'open') return 0;
    await this.sessions.closeIdle();
    const leased = await withTransaction(this.dataSource, (m) => this.contexts.leaseDue(m, this.jobs.jobs, this.owner, this.options.leaseMs, this.options.contextsPerRound));
    const counts = await Promise.all(leased.map((context) => this.runContext(context)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async runContext(context: KsefContextRow): Promise<number> {
    // A half-open circuit's probe is one interactive send: a batch probe into a still-dead KSeF would charge a failed
    // attempt (and a backoff) to every invoice of the package.
    if (this.batch && this.breaker.state === 'closed' && (await this.batchWanted(context, this.batch))) return this.runBatch(context, this.batch);
    const claimed = await withTransaction(this.dataSource, (m) => this.jobs.claimDue(m, context.nip, this.options.batchSize, this.options.leaseMs));
    return this.sendEach(context, claimed);
  }

  /** Backlog, queue age and the rate-limit plan of interactive sends decide (batch-policy.ts). */
  private async batchWanted(context: KsefContextRow, batch: SchedulerBatch): Promise<boolean> {
    if (batch.settings.backlogThreshold === 0 && batch.settings.queueAgeMs === 0) return false;
    const { due, oldestAgeMs } = await this.jobs.dueForBatch(this.dataSource.manager, context.nip);
    if (due < 2) return false;
    const planned = this.sessions.limiter?.plan(`Nip:${context.nip}`, 'invoiceSend', Math.min(due, batch.settings.maxInvoices));
    const interactiveMs = planned?.length ? Math.max(0, (planned[planned.length - 1] as number) - Date.now()) : 0;
    return wantsBatch({ due, oldestAgeMs, interactiveMs }, batch.settings);
  }

  /**
   * A batch round: claim up to the package size, handle the jobs that need per-invoice care first (reconcile,
   * interrupted, wrong tenant, exhausted), then send the rest as one batch session.
   */
  private async runBatch(context: KsefContextRow, batch: SchedulerBatch): Promise<number> {
    const claimed = await withTransaction(this.dataSource, (m) => this.jobs.claimDue(m, context.nip, batch.settings.maxInvoices, this.options.leaseMs));
    const selection = selectBatch(claimed, context.tenantId, batch.maxAttempts, batch.settings);
    if (selection.giveBack.length) await withTransaction(this.dataSource, (m) => this.jobs.release(m, selection.giveBack));
    let done = await this.sendEach(context, selection.individual);
    if (selection.batch.length === 0) return done;
    if (this.loop.stopped || !(await this.holdsContext(context)) || !this.breaker.tryAcquire()) {
      await withTransaction(this.dataSource, (m) => this.jobs.release(m, selection.batch));
      return done;
    }
    let leftOver: typeof selection.batch = [];
    try {
      leftOver = await inTraceOf('sender', 'sender send batch', selection.batch[0]?.traceparent, { 'ksef.context_nip': context.nip, 'batch.invoices': selection.batch.length }, () => batch.processor.send(context, selection.batch), selection.batch.slice(1).map((j) => j.traceparent));
      done += selection.batch.length - leftOver.length;
    } catch (err) {
      // Recording failed (database down): the jobs are taken up again after their lease, reconciling if marked in flight.
      this.logger.error({ err, nip: context.nip, invoices: selection.batch.length }, 'batch session could not be recorded');
      done += selection.batch.length;
    } finally {
      this.breaker.release();
    }
    return done + (await this.sendEach(context, leftOver));
  }

  /**
   * Offline invoices issued during an unavailability the sender observed have no deadline until it ends: give them
   * one once it has (every `deadlineRecheckMs`; any replica may do it, the update is idempotent).
   */
  private async resolvePendingDeadlines(): Promise<void> {
    await this.sweepDeadlines();
    if (Date.now() - this.deadlinesCheckedAt < (this.options.deadlineRecheckMs ?? DEFAULT_DEADLINE_RECHECK_MS)) return;
    this.deadlinesCheckedAt = Date.now();
    try {
      const resolved = await withTransaction(this.dataSource, (m) => this.jobs.offline.resolvePending(m));
      if (resolved > 0) this.logger.info({ resolved }, 'offline send deadlines computed: the KSeF unavailability they counted from has ended');
    } catch (err) {
      // Retried next time; sending does not wait for it (the pending jobs sort after those with a deadline meanwhile).
      this.logger.warn({ err }, 'computing pending offline deadlines failed');
    }
  }

  /**
   * KSeF's announced failures changed (Latarnia): one bounded step of re-evaluating unsent offline jobs' deadlines per
   * round until all were (offline-deadline-sweep.ts); nothing while the list is unchanged.
   */
  private async sweepDeadlines(): Promise<void> {
    if (!this.deadlineSweep.wanted()) return;
    try {
      await this.deadlineSweep.step((work) => withTransaction(this.dataSource, work));
    } catch (err) {
      // The step is taken again next round (the sweep's cursor did not move); sending does not wait for it.
      this.logger.warn({ err }, 're-evaluating offline deadlines after announced failures changed failed');
    }
  }

  /** Renews this instance's lease of the context; false (and a warning) when another instance owns it by now. */
  private async holdsContext(context: KsefContextRow): Promise<boolean> {
    const held = await withTransaction(this.dataSource, (m) => this.contexts.renewLease(m, context.nip, this.owner, this.options.leaseMs));
    if (!held) this.logger.warn({ nip: context.nip }, 'context lease lost during the round: leaving the rest to its new owner');
    return held;
  }

  /** Sends claimed jobs one after another through the context's interactive session; gives back the ones not reached. */
  private async sendEach(context: KsefContextRow, claimed: readonly SendJob[]): Promise<number> {
    let done = 0;
    for (const job of claimed) {
      // The context's lease first: a round longer than the lease must stop before another sender owns the context.
      if (this.loop.stopped || !(await this.holdsContext(context)) || !this.breaker.tryAcquire()) break;
      try {
        // The whole batch was claimed at once: extend this job's lease now, so a slow KSeF earlier in the batch cannot
        // let it expire mid-send (another scheduler would then take it as interrupted).
        if (await withTransaction(this.dataSource, (m) => this.jobs.renewLease(m, job, this.options.leaseMs))) {
          // The attempt continues the invoice's trace: its KSeF calls and its outcome event are children of it.
          await inTraceOf('sender', 'sender send invoice', job.traceparent, { 'invoice.id': job.invoiceId, 'ksef.context_nip': context.nip, 'invoice.attempt': job.attempts + 1 }, () => this.processor.process(context, job));
        }
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

}
