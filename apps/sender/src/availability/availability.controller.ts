import { Controller, Get, Inject, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AvailabilityMonitor } from './availability-monitor';
import { AvailabilityRepository, type AvailabilityPeriod } from './availability.repository';

const view = (p: AvailabilityPeriod) => ({ state: p.state, previousState: p.previousState, since: p.startedAt.toISOString(), until: p.endedAt?.toISOString() ?? null, cause: p.cause, detail: p.detail, announced: p.announced });

/**
 * `GET /v1/ksef/availability[?history=N]`: KSeF's availability as this sender sees it, with the last N periods
 * (default 20, max 200). Public read, no token: it says only what KSeF's own public status (Latarnia) says, and ERPs
 * and operators must see it while other parts of the system are down. Read from the database, so every replica
 * answers the same. `state: "UNKNOWN"` before the first observation.
 */
@Controller('v1/ksef')
export class AvailabilityController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AvailabilityRepository) private readonly repository: AvailabilityRepository,
    @Inject(AvailabilityMonitor) private readonly monitor: AvailabilityMonitor,
  ) {}

  @Get('availability')
  async availability(@Query('history') history?: string) {
    const limit = Math.min(200, Math.max(1, Number.parseInt(history ?? '20', 10) || 20));
    const periods = await this.repository.history(this.dataSource.manager, this.monitor.endpoint, limit);
    const current = periods.find((p) => p.endedAt === null);
    return {
      endpoint: this.monitor.endpoint,
      state: current?.state ?? 'UNKNOWN',
      since: current?.startedAt.toISOString() ?? null,
      cause: current?.cause ?? null,
      detail: current?.detail ?? null,
      // KSeF's own word (Latarnia): null when the feed is not read or nothing is recorded yet; UNKNOWN when unreadable.
      announced: current?.announced ?? null,
      history: periods.map(view),
    };
  }
}
