import { Controller, HttpCode, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isKsefError, type ProvidedAccessToken } from '@ksef-bridge/ksef-client';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import { KsefSessions } from '../send-invoice/ksef-sessions';
import { ACCESS_TOKEN_METRICS, type AccessTokenMetrics } from './access-token.metrics';
import { InternalApiErrorFilter } from './internal-api-error.filter';
import { InternalApiError, InternalTokenGuard } from './internal-token.guard';

/**
 * Short-lived KSeF access tokens for services that must never hold KSeF tokens (the status-poller reads statuses and
 * UPOs with them). The token is the one the context's KsefClient in KsefSessions uses for sending: no second login,
 * the same refresh. It is a secret: never logged, only returned to an authenticated caller.
 */
@Controller('internal/v1/ksef-contexts')
@UseGuards(InternalTokenGuard)
@UseFilters(InternalApiErrorFilter)
export class AccessTokenController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(KsefContextRepository) private readonly contexts: KsefContextRepository,
    @Inject(KsefSessions) private readonly sessions: KsefSessions,
    @Inject(ACCESS_TOKEN_METRICS) private readonly metrics: AccessTokenMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(':nip/access-token')
  @HttpCode(200)
  async accessToken(@Param('nip') nip: string): Promise<ProvidedAccessToken> {
    const context = /^\d{10}$/.test(nip) ? await this.contexts.find(this.dataSource.manager, nip) : undefined;
    if (!context || !context.enabled) {
      this.metrics.served('unknown-context');
      // Retriable: the context may be registered (or enabled again) later; until then nothing can be read for it.
      throw new InternalApiError(404, 'KSEF_CONTEXT_UNKNOWN', `No enabled KSeF context ${nip} is registered in the sender`, true);
    }
    try {
      const token = await this.sessions.client(context).currentAccessToken();
      this.metrics.served('issued');
      return token;
    } catch (error) {
      if (!isKsefError(error)) throw error;
      this.metrics.served('ksef-auth-failed');
      this.logger.warn({ nip, code: error.code, kind: error.kind, httpStatus: error.facts.httpStatus }, 'KSeF authentication for an access-token request failed');
      throw new InternalApiError(503, 'KSEF_AUTH_UNAVAILABLE', `KSeF authentication for context ${nip} failed (${error.code})`, true);
    }
  }
}
