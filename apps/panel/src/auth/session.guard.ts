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
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // malformed percent-encoding: no session (it was a 500)
    }
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request that changes something must carry the panel's header (a cross-site form or image cannot add one) and, when
 * the browser names its origin, come from the panel's own host: a second line behind SameSite=Strict and the header
 * (e.g. a permissive CORS proxy in front of the panel). `Sec-Fetch-Site: cross-site` is refused for the same reason.
 */
export function checkCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers[CSRF_HEADER] !== '1') throw new PanelHttpError(403, 'CSRF_HEADER_MISSING', `Mutating requests need the ${CSRF_HEADER}: 1 header`);
  const origin = request.headers.origin;
  if (origin !== undefined && originHost(origin) !== request.headers.host) throw new PanelHttpError(403, 'CSRF_ORIGIN_MISMATCH', 'Cross-origin requests are refused');
  if (request.headers['sec-fetch-site'] === 'cross-site') throw new PanelHttpError(403, 'CSRF_ORIGIN_MISMATCH', 'Cross-site requests are refused');
  // JSON only: Nest's fastify adapter also parses form posts, which a cross-site form could send.
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) throw new PanelHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The panel API takes application/json only');
}

/** host[:port] of an Origin header; a malformed or opaque ("null") origin never matches. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
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
