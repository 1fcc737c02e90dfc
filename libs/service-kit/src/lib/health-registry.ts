import { Injectable } from '@nestjs/common';

/** A readiness dependency: resolves when healthy, rejects (with a reason) when not. */
export type HealthCheckFn = (timeoutMs: number) => Promise<unknown>;

/**
 * Readiness checks registered by the app's modules (Kafka, PostgreSQL, …), usually in `onModuleInit`.
 * Liveness never runs them: a process whose broker is down is alive and should not be restarted.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  private shuttingDown = false;

  register(name: string, check: HealthCheckFn): void {
    if (this.checks.has(name)) throw new Error(`Health check '${name}' registered twice`);
    this.checks.set(name, check);
  }

  entries(): Array<[string, HealthCheckFn]> {
    return [...this.checks.entries()];
  }

  /** Readiness turns false first during shutdown, so load balancers stop sending work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
