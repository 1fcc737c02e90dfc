import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SENDER_SETTINGS, type SenderSettings } from '../sender.settings';

/** The error body of the sender's internal API (same shape as the taxonomy: stable code + retriable). */
export interface InternalApiErrorBody {
  code: string;
  message: string;
  retriable: boolean;
}

export class InternalApiError extends HttpException {
  constructor(status: number, code: string, message: string, retriable: boolean) {
    super({ code, message, retriable } satisfies InternalApiErrorBody, status);
  }
}

/**
 * Guards the sender's `/internal/*` with INTERNAL_API_TOKEN (intake's pattern: bearer, digests compared in constant
 * time). Unlike intake's claim-check reads, these routes hand out KSeF access tokens, so without a configured token
 * they are open only outside production (local runs, tests); with NODE_ENV=production every call is refused.
 */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  constructor(@Inject(SENDER_SETTINGS) private readonly settings: SenderSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const { token: expected, requireToken } = this.settings.internalApi;
    if (!expected) {
      if (requireToken) throw new InternalApiError(401, 'INTERNAL_API_TOKEN_UNSET', 'INTERNAL_API_TOKEN is not configured: internal routes are closed in production', false);
      return true;
    }
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['authorization'];
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    const digest = (v: string) => createHash('sha256').update(v).digest();
    if (!timingSafeEqual(digest(given), digest(expected))) throw new InternalApiError(401, 'UNAUTHENTICATED', 'A valid internal service token is required', false);
    return true;
  }
}
