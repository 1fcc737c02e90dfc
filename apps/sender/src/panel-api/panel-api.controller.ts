import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { InternalApiErrorFilter } from '../access-tokens/internal-api-error.filter';
import { InternalApiError, InternalTokenGuard } from '../access-tokens/internal-token.guard';
import { CircuitBreaker } from '../domain/circuit-breaker';
import { KsefSessions } from '../send-invoice/ksef-sessions';
import { SENDER_SETTINGS, type SenderSettings } from '../sender.settings';
import { PanelSendJobs } from './panel-send-jobs.queries';
import { rateHeadroom } from './rate-headroom';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenant = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/).optional();
const scopeQuery = z.object({ tenant }).strict();
const requeueBody = z.object({ tenant, user: z.string().min(1).max(100), reason: z.string().min(1).max(2000) }).strict();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InternalApiError(400, 'REQUEST_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), false);
  return parsed.data;
}

/**
 * The operator panel's door into the sender (docs/panel.md): an invoice's send job and every attempt with KSeF's full
 * error body, the contexts' backlog with this instance's circuit breaker, and the re-queue of an escalated job.
 * `tenant` given = that tenant only (another tenant's job is not found), absent = every tenant.
 */
@Controller('internal/v1/panel')
@UseGuards(InternalTokenGuard)
@UseFilters(InternalApiErrorFilter)
export class SenderPanelApiController {
  private readonly jobs: PanelSendJobs;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CircuitBreaker) private readonly breaker: CircuitBreaker,
    @Inject(KsefSessions) private readonly sessions: KsefSessions,
    @Inject(SENDER_SETTINGS) settings: SenderSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.jobs = new PanelSendJobs(settings.schema);
  }

  @Get('invoices/:id/send-job')
  async sendJob(@Param('id') id: string, @Query() query: unknown) {
    const scope = parse(scopeQuery, query).tenant;
    const job = UUID.test(id) ? await this.jobs.job(this.dataSource, id, scope) : undefined;
    if (!job) throw new InternalApiError(404, 'SEND_JOB_NOT_FOUND', `No send job for invoice ${id}`, false);
    return { job, attempts: await this.jobs.attempts(this.dataSource, id) };
  }

  @Get('contexts')
  async contexts(@Query() query: unknown) {
    const scope = parse(scopeQuery, query).tenant;
    const contexts = await this.jobs.contexts(this.dataSource, scope);
    return {
      breaker: { state: this.breaker.state, remainingOpenMs: this.breaker.remainingOpenMs() },
      // Limits and the pause of this instance's limiter; sends counted from the attempts of every instance. null when KSEF_RATE_LIMITS=off.
      contexts: contexts.map((c) => ({ ...c, rateHeadroom: rateHeadroom(this.sessions.limiter, c.nip, c) ?? null })),
    };
  }

  @Post('invoices/:id/requeue')
  @HttpCode(200)
  async requeue(@Param('id') id: string, @Body() body: unknown) {
    const who = parse(requeueBody, body);
    const result = UUID.test(id) ? await this.jobs.requeue(this.dataSource, id, who.tenant) : undefined;
    if (!result) throw new InternalApiError(404, 'SEND_JOB_NOT_FOUND', `No send job for invoice ${id}`, false);
    if (!result.changed && result.state === 'REJECTED') throw new InternalApiError(409, 'REQUEUE_NOT_ALLOWED', 'KSeF rejected this invoice; send a corrected document instead', false);
    if (result.changed) this.logger.info({ invoiceId: id, user: who.user }, 'send job re-queued from the panel');
    return { invoiceId: id, ...result };
  }
}
