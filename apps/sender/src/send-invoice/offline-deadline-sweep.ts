import type { EntityManager } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import type { OfflineJobsRepository } from './offline-jobs.repository';

/** What one sweep step did (for the scheduler's log and for tests). */
export interface SweepStep {
  /** The fingerprint of the failures the step evaluated against. */
  fingerprint: string;
  examined: number;
  moved: number;
  /** True when this step finished the sweep: every unsent offline job has been evaluated against `fingerprint`. */
  finished: boolean;
}

/**
 * Re-evaluates the stored deadlines of unsent offline jobs when the failures KSeF announced change (Latarnia): a new
 * failure, a published end, a revised start. Change detection is the failure list's fingerprint, compared in memory
 * each round (no query while nothing changed); a change starts a sweep over the unsent offline jobs in invoice-id
 * order, `batchSize` jobs per step, so a large backlog is spread over rounds. A further change during a sweep starts
 * it again from the beginning with the new list (the jobs already done are evaluated again: the list is what counts).
 * The first step of a pass waits for enqueues in flight (`OfflineJobsRepository.failuresAtEnqueue`), so a job computed
 * with the previous list cannot be committed behind the cursor; jobs enqueued after it already use the new list.
 *
 * Per instance and in memory on purpose: the stored deadlines are the durable result, and re-evaluating is
 * idempotent, so a restarted instance (or a second replica) simply sweeps once more after its first read of the feed.
 * Until the feed has been read nothing is swept (an unread feed is not an empty one).
 */
export class OfflineDeadlineSweep {
  /** The fingerprint every unsent job has been evaluated against; undefined before the first completed sweep. */
  private evaluated: string | undefined;
  /** The sweep in progress: its fingerprint and the last invoice id done. */
  private running: { fingerprint: string; afterId: string | undefined } | undefined;

  constructor(
    private readonly offline: OfflineJobsRepository,
    private readonly batchSize: number,
    private readonly logger: Logger,
  ) {}

  /** True when a step would do work: the feed is known and its failures differ from what the jobs were evaluated on. */
  wanted(): boolean {
    const announced = this.offline.followsAnnouncements ? this.offline.announcedFailures() : undefined;
    return announced !== undefined && announced.fingerprint !== this.evaluated;
  }

  /**
   * One bounded step in a transaction of `inTransaction`; undefined when nothing changed (or nothing is known yet).
   * The cursor moves only once the step's transaction has committed (a failed one is taken again).
   */
  async step(inTransaction: <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>): Promise<SweepStep | undefined> {
    if (!this.offline.followsAnnouncements) return undefined;
    const announced = this.offline.announcedFailures();
    if (!announced || announced.fingerprint === this.evaluated) {
      this.running = undefined;
      return undefined;
    }
    if (this.running?.fingerprint !== announced.fingerprint) this.running = { fingerprint: announced.fingerprint, afterId: undefined };
    const running = this.running;
    const done = await inTransaction((m) => this.offline.reevaluate(m, announced.failures, running.afterId, this.batchSize));
    const finished = done.examined < this.batchSize;
    if (this.running === running) {
      if (finished) {
        this.evaluated = announced.fingerprint;
        this.running = undefined;
      } else {
        running.afterId = done.lastId;
      }
    }
    if (done.moved > 0) this.logger.info({ moved: done.moved, examined: done.examined, failures: announced.fingerprint || 'none' }, 'offline send deadlines re-evaluated: KSeF announced failures changed');
    return { fingerprint: announced.fingerprint, examined: done.examined, moved: done.moved, finished };
  }
}
