import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { TenantRepository } from '../tenants/tenant.repository';
import { ApiError } from './api-error.filter';

/** A request authenticated as a tenant by the guard. */
export type TenantRequest = FastifyRequest & { tenantId?: string };

/** Reads the tenant a request was authenticated as (the guard ran first). */
export function tenantOf(request: TenantRequest): string {
  if (!request.tenantId) throw new Error('tenant guard did not run');
  return request.tenantId;
}

/** Authenticates an ERP by its API key (`Authorization: Bearer ksb_…` or `X-Api-Key: ksb_…`). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header = request.headers['authorization'];
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const key = bearer ?? (typeof request.headers['x-api-key'] === 'string' ? request.headers['x-api-key'] : undefined);
    if (!key) throw new ApiError(401, 'UNAUTHENTICATED', 'An API key is required (Authorization: Bearer <key> or X-Api-Key)');
    const tenantId = await this.tenants.tenantOfKey(this.dataSource, key);
    if (!tenantId) throw new ApiError(401, 'UNKNOWN_TENANT', 'The API key is unknown, revoked, or its tenant is disabled');
    request.tenantId = tenantId;
    return true;
  }
}
