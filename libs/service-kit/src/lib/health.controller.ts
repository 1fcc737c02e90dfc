import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { HealthRegistry } from './health-registry';

const CHECK_TIMEOUT_MS = 2_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` and `/health/ready`: readiness (every registered dependency answers; 503 otherwise).
 * `/health/live`: liveness (the event loop answers).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  check() {
    return this.readiness();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.readiness();
  }

  private readiness() {
    if (this.registry.isShuttingDown()) throw new ServiceUnavailableException({ status: 'shutting_down' });
    return this.health.check(
      this.registry.entries().map(([name, fn]) => async (): Promise<HealthIndicatorResult> => {
        const session = this.indicators.check(name);
        try {
          await withTimeout(fn(CHECK_TIMEOUT_MS), CHECK_TIMEOUT_MS);
          return session.up();
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}
