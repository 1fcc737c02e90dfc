import type { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { withTransaction } from '@ksef-bridge/persistence';
import { DeliveryLeaseLostError, type DeliveryRepository } from './delivery.repository';
import type { DeliveryProcessor } from './delivery.processor';
import { RoundLoop } from '@ksef-bridge/service-kit';

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
  private readonly loop: RoundLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly processor: DeliveryProcessor,
    private readonly options: DeliverySchedulerOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new RoundLoop('webhook delivery', () => this.runOnce(), (count) => (count >= this.options.batchSize ? 0 : this.options.pollIntervalMs), logger);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the current round: its POSTs finish and are recorded. */
  async stop(): Promise<void> {
    await this.loop.stop();
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

}
