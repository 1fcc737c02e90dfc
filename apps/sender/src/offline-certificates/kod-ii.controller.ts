import { Body, Controller, HttpCode, HttpException, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { InternalApiErrorFilter } from '../access-tokens/internal-api-error.filter';
import { InternalTokenGuard } from '../access-tokens/internal-token.guard';
import { KodIIRefusal, KodIISigner, parseKodIIRequest, type SignedKodII } from './kod-ii-signer';

/**
 * `POST /internal/v1/ksef-contexts/{nip}/kod-ii` `{tenantId, sellerNip, invoiceHash, environment?}` → the KOD II link
 * of an offline invoice signed with the context's Offline certificate (intake serves it as an image). Guarded like
 * the access-token route (INTERNAL_API_TOKEN); refusals as `{code, message, retriable, details?}`.
 */
@Controller('internal/v1/ksef-contexts')
@UseGuards(InternalTokenGuard)
@UseFilters(InternalApiErrorFilter)
export class KodIIController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(KodIISigner) private readonly signer: KodIISigner,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(':nip/kod-ii')
  @HttpCode(200)
  async kodII(@Param('nip') nip: string, @Body() body: unknown): Promise<SignedKodII> {
    try {
      return await this.signer.sign(this.dataSource.manager, parseKodIIRequest(nip, body));
    } catch (error) {
      if (!(error instanceof KodIIRefusal)) throw error;
      if (error.status !== 400) this.logger.info({ nip, code: error.code }, 'KOD II refused');
      throw new HttpException({ code: error.code, message: error.message, retriable: false, ...(Object.keys(error.details).length ? { details: error.details } : {}) }, error.status);
    }
  }
}
