import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { PanelHttpError } from '../http/panel-error.filter';
import { CSRF_HEADER, PANEL_SETTINGS, SESSION_COOKIE, type PanelSettings } from '../panel.settings';
import type { PanelUser } from './access-policy';
import { AuthRepository } from './auth.repository';

export type PanelRequest = FastifyRequest & { panelUser?: PanelUser; sessionToken?: string };

/** The value of one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request that changes something must carry the panel's header; a cross-site form or image cannot add one. */
export function checkCsrf(request: FastifyRequest): void {
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') throw new PanelHttpError(403, 'CSRF_HEADER_MISSING', `Mutating requests need the ${CSRF_HEADER}: 1 header`);
}

/** Every /api route but login: a live server-side session (cookie) and, for mutations, the CSRF header. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AuthRepository) private readonly auth: AuthRepository,
    @Inject(PANEL_SETTINGS) private readonly settings: PanelSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PanelRequest>();
    checkCsrf(request);
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const user = token && token.length < 100 ? await this.auth.sessionUser(this.dataSource, token) : undefined;
    if (!user) throw new PanelHttpError(401, 'UNAUTHENTICATED', 'Log in first');
    request.panelUser = user;
    request.sessionToken = token;
    return true;
  }
}

export function userOf(request: PanelRequest): PanelUser {
  if (!request.panelUser) throw new PanelHttpError(401, 'UNAUTHENTICATED', 'Log in first');
  return request.panelUser;
}
