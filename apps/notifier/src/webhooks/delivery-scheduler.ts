import type { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import { DeliveryLeaseLostError, type DeliveryRepository } from './delivery.repository';
import type { DeliveryProcessor } from './delivery.processor';

export interface DeliverySchedulerOptions {
  pollIntervalMs: number;
  /** Deliveries claimed per round, POSTed in parallel. */
  batchSize: number;
  /** Lease of a claimed delivery (longer than two request timeouts, checked by the config). */
  leaseMs: number;
}

/**
 * The notifier's delivery loop: every `pollIntervalMs` it claims due deliveries (`FOR UPDATE SKIP LOCKED`, claim
 * token, lease) and POSTs them in parallel; a full round is followed at once by the next. Several instances share the
 * work without delivering one delivery twice at the same time; a delivery whose instance died is taken over after its
 * lease (at-least-once: integrators dedupe by event id).
 */
export class DeliveryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly processor: DeliveryProcessor,
    private readonly options: DeliverySchedulerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the current round: its POSTs finish and are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round; returns how many deliveries were attempted. Public for tests. */
  async runOnce(): Promise<number> {
    const claimed = await withTransaction(this.dataSource, (m) => this.deliveries.claimDue(m, this.options.batchSize, this.options.leaseMs));
    await Promise.all(
      claimed.map((d) =>
        this.processor.process(d).catch((err: unknown) => {
          // Nothing was recorded for this attempt (database down, lease lost, secret unreadable): it runs again after its lease.
          if (err instanceof DeliveryLeaseLostError) this.logger.warn({ deliveryId: d.id }, err.message);
          else this.logger.error({ err, deliveryId: d.id }, 'webhook attempt could not be recorded');
        }),
      ),
    );
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'webhook delivery round failed');
          return 0;
        })
        .then((count) => this.schedule(count >= this.options.batchSize ? 0 : this.options.pollIntervalMs));
    }, delayMs);
  }
}
