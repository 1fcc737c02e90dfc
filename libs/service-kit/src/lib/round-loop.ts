import type { Logger } from '@ksef-bridge/observability';

/**
 * The loop of a scheduler that works in rounds (claim due rows, work them, record): one round at a time, the next one
 * at once while rounds find work and after `idleMs` when they do not, a failed round logged and followed by the next.
 * `stop()` lets the current round finish (its outcomes are recorded) and starts no other; `stopped` tells a round in
 * progress to hand back what it has not started.
 */
export class RoundLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private halted = true;

  constructor(
    private readonly name: string,
    private readonly round: () => Promise<number>,
    /** Delay before the next round after one that worked on `count` items. */
    private readonly nextDelayMs: (count: number) => number,
    private readonly logger: Logger,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    this.halted = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.halted) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((err: unknown) => {
          this.logger.error({ err }, `${this.name} round failed`);
          return 0;
        })
        .then((count) => this.schedule(this.nextDelayMs(count)));
    }, delayMs);
  }
}
