import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual, createHash } from 'node:crypto';
import { INTAKE_SETTINGS, type IntakeSettings } from '../intake.settings';
import { ApiError } from './api-error.filter';

/** Guards `/internal/*` (service-to-service reads) with INTERNAL_API_TOKEN when it is configured. */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  constructor(@Inject(INTAKE_SETTINGS) private readonly settings: IntakeSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.settings.internalApiToken;
    if (!expected) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['authorization'];
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    // Compare digests: equal length, constant time.
    const digest = (v: string) => createHash('sha256').update(v).digest();
    if (!timingSafeEqual(digest(given), digest(expected))) throw new ApiError(401, 'UNAUTHENTICATED', 'A valid internal service token is required');
    return true;
  }
}
