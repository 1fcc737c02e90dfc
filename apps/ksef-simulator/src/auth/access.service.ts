import { Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { KsefError } from '../domain/ksef-error';
import { AuthRepository } from '../infrastructure/auth.repository';
import { JwtService, type SimTokenClaims, type TokenKind } from './jwt.service';
import { SimClock } from '../domain/clock';
import { ipAllowed } from '../domain/ip-policy';

/** The caller of a protected endpoint, from its access token. */
export interface AccessContext {
  authReference: string;
  contextType: string;
  contextValue: string;
  permissions: string[];
}

/**
 * Checks bearer tokens: signature, type, expiry (401), revocation of the auth session (401). Revocations are cached
 * in memory (loaded at start, updated on revoke) so the hot path needs no query.
 */
@Injectable()
export class AccessService implements OnModuleInit {
  private readonly revoked = new Set<string>();
  /** Verified access tokens (until their exp, at most 10,000): the HMAC check runs once per token, not per request. */
  private readonly verified = new Map<string, { claims: SimTokenClaims; expiresAt: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly auth: AuthRepository,
    private readonly clock: SimClock,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const ref of await this.auth.revokedSet()) this.revoked.add(ref);
  }

  markRevoked(authReference: string): void {
    this.revoked.add(authReference);
  }

  async claims(request: FastifyRequest, kind: TokenKind): Promise<SimTokenClaims> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw KsefError.unauthorized('Brak tokenu uwierzytelniającego (missing bearer token).');
    if (kind === 'access') {
      const hit = this.verified.get(match[1]);
      if (hit && this.clock.now() < hit.expiresAt) {
        if (this.revoked.has(hit.claims.sid)) throw KsefError.unauthorized('Uwierzytelnienie zostało unieważnione (session revoked).');
        return hit.claims;
      }
    }
    const result = await this.jwt.verify(match[1], kind);
    if (!result.ok) {
      const why = { expired: 'Token wygasł (token expired).', invalid: 'Nieprawidłowy token (invalid token).', 'wrong-type': 'Nieprawidłowy rodzaj tokenu (wrong token type).' };
      throw KsefError.unauthorized(why[result.reason]);
    }
    if (kind !== 'auth' && this.revoked.has(result.claims.sid)) throw KsefError.unauthorized('Uwierzytelnienie zostało unieważnione (session revoked).');
    if (kind === 'access') {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(match[1], { claims: result.claims, expiresAt: result.expiresAt.getTime() });
    }
    return result.claims;
  }

  /** Access-token check; with `permissions`, at least one of them must be granted (403 missing-permissions). */
  async access(request: FastifyRequest, ...permissions: string[]): Promise<AccessContext> {
    const claims = await this.claims(request, 'access');
    if (!ipAllowed(claims.ips, request.ip)) throw KsefError.forbidden('ip-not-allowed', `Adres IP ${request.ip} nie jest dozwolony dla tego uwierzytelnienia.`);
    if (permissions.length && !permissions.some((p) => claims.per.includes(p))) {
      throw KsefError.forbidden('missing-permissions', `Brak wymaganych uprawnień: ${permissions.join(', ')}.`);
    }
    return { authReference: claims.sid, contextType: claims.ctxType, contextValue: claims.ctxValue, permissions: claims.per };
  }

  /** A resource of another context: 403 insufficient-resource-access. */
  static assertSameContext(ctx: AccessContext, contextType: string, contextValue: string): void {
    if (ctx.contextType !== contextType || ctx.contextValue !== contextValue) {
      throw KsefError.forbidden('insufficient-resource-access', 'Zasób należy do innego kontekstu (resource belongs to another context).');
    }
  }
}
