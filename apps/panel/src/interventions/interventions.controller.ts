import { Body, Controller, HttpCode, Inject, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { SessionGuard, userOf, type PanelRequest } from '../auth/session.guard';
import { PanelErrorFilter, PanelHttpError } from '../http/panel-error.filter';
import { InterventionsService } from './interventions.service';

// PostgreSQL text cannot hold U+0000: refused here with 400 rather than failing in the audit insert with a 500.
const NO_NUL = (s: string) => !s.includes('\u0000');
const reasonBody = z.object({ reason: z.string().trim().min(3).max(2000).refine(NO_NUL, 'must not contain U+0000') }).strict();
const resubmitBody = reasonBody.extend({ erpDocumentId: z.string().min(1).max(200).refine(NO_NUL, 'must not contain U+0000'), xml: z.string().min(1).max(4_000_000) }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new PanelHttpError(400, 'REQUEST_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Manual interventions; every one needs a reason (it goes to the audit trail and the invoice's history). */
@Controller('api/invoices/:id')
@UseGuards(SessionGuard)
@UseFilters(PanelErrorFilter)
export class InterventionsController {
  constructor(@Inject(InterventionsService) private readonly interventions: InterventionsService) {}

  @Post('retry')
  @HttpCode(200)
  retry(@Req() request: PanelRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.interventions.retry(userOf(request), id, parse(reasonBody, body).reason);
  }

  @Post('cancel')
  @HttpCode(200)
  cancel(@Req() request: PanelRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.interventions.cancel(userOf(request), id, parse(reasonBody, body).reason);
  }

  @Post('resubmit')
  @HttpCode(200)
  resubmit(@Req() request: PanelRequest, @Param('id') id: string, @Body() body: unknown) {
    const { reason, ...corrected } = parse(resubmitBody, body);
    return this.interventions.resubmit(userOf(request), id, reason, corrected);
  }

  @Post('acknowledge')
  @HttpCode(200)
  acknowledge(@Req() request: PanelRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.interventions.acknowledge(userOf(request), id, parse(reasonBody, body).reason);
  }
}
