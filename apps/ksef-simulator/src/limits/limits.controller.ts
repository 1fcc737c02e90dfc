import { Body, Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessService } from '../auth/access.service';
import { PRODUCTION_LIMITS, RATE_LIMIT_GROUPS, type GroupLimits } from '../domain/rate-limit/rate-limit-groups';
import { parseBody } from '../http/parse-body';
import { DEFAULT_SESSION_LIMITS, SessionLimitsService } from '../sessions/session-limits.service';
import { RateLimitService } from './rate-limit.service';

const values = z.object({ perSecond: z.number().int().min(1), perMinute: z.number().int().min(1), perHour: z.number().int().min(1) });
const setRateLimits = z.object({ rateLimits: z.object(Object.fromEntries(RATE_LIMIT_GROUPS.map((g) => [g, values])) as Record<(typeof RATE_LIMIT_GROUPS)[number], typeof values>) });
const sessionLimits = z.object({ maxInvoiceSizeInMB: z.number().int().min(0).max(5), maxInvoiceWithAttachmentSizeInMB: z.number().int().min(0).max(10), maxInvoices: z.number().int().min(0).max(100_000) });
const setSessionLimits = z.object({ onlineSession: sessionLimits, batchSession: sessionLimits });

/** `/rate-limits`, `/limits/context` and the TE controls under `/testdata/rate-limits` and `/testdata/limits`. */
@Controller()
export class LimitsController {
  constructor(
    private readonly rateLimits: RateLimitService,
    private readonly sessionLimits: SessionLimitsService,
    private readonly access: AccessService,
  ) {}

  @Get('rate-limits')
  async effective(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    const limits = (await this.rateLimits.effective(`${ctx.contextType}:${ctx.contextValue}`)) ?? PRODUCTION_LIMITS;
    return limits;
  }

  @Get('limits/context')
  async contextLimits(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    return this.sessionLimits.forContext(ctx.contextType, ctx.contextValue);
  }

  @Post('testdata/rate-limits')
  @HttpCode(200)
  async setCustom(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req);
    await this.rateLimits.setOverride(`${ctx.contextType}:${ctx.contextValue}`, parseBody(setRateLimits, body).rateLimits as GroupLimits);
  }

  @Post('testdata/rate-limits/production')
  @HttpCode(200)
  async setProduction(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    await this.rateLimits.setOverride(`${ctx.contextType}:${ctx.contextValue}`, PRODUCTION_LIMITS);
  }

  @Delete('testdata/rate-limits')
  @HttpCode(200)
  async reset(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    await this.rateLimits.setOverride(`${ctx.contextType}:${ctx.contextValue}`, undefined);
  }

  @Post('testdata/limits/context/session')
  @HttpCode(200)
  async setSession(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req);
    await this.sessionLimits.set(ctx.contextType, ctx.contextValue, parseBody(setSessionLimits, body));
  }

  @Delete('testdata/limits/context/session')
  @HttpCode(200)
  async resetSession(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    await this.sessionLimits.set(ctx.contextType, ctx.contextValue, undefined);
  }
}

export { DEFAULT_SESSION_LIMITS };
