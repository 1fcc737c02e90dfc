import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { importEsm } from '@ksef-bridge/ksef-spec';
import { SimClock } from '../domain/clock';
import type { AllowedIps } from '../domain/ip-policy';
import { SettingsRepository } from '../infrastructure/settings.repository';

type Jose = typeof import('jose');

export type TokenKind = 'auth' | 'access' | 'refresh';

/** What the simulator puts in its JWTs: the auth operation (`sid`), the context and the granted permissions. */
export interface SimTokenClaims {
  typ: TokenKind;
  sid: string;
  ctxType: string;
  ctxValue: string;
  per: string[];
  /** `authorizationPolicy.allowedIps`, when the authentication set one. */
  ips?: AllowedIps;
}

export type VerifyResult = { ok: true; claims: SimTokenClaims; expiresAt: Date } | { ok: false; reason: 'expired' | 'invalid' | 'wrong-type' };

/** HS256 JWTs (jose) with a secret kept in PostgreSQL, so tokens stay valid across restarts. Time is the SimClock. */
@Injectable()
export class JwtService implements OnModuleInit {
  private jose!: Jose;
  private secret!: Uint8Array;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly clock: SimClock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.jose = await importEsm<Jose>('jose');
    const secret = await this.settings.getOrCreate<string>('jwt-secret', () => randomBytes(32).toString('base64'));
    this.secret = Buffer.from(secret, 'base64');
  }

  async sign(claims: SimTokenClaims, ttlSeconds: number): Promise<{ token: string; validUntil: Date }> {
    const nowSec = Math.floor(this.clock.now() / 1000);
    const validUntil = new Date((nowSec + ttlSeconds) * 1000);
    const token = await new this.jose.SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('ksef-simulator')
      .setJti(randomUUID())
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + ttlSeconds)
      .sign(this.secret);
    return { token, validUntil };
  }

  async verify(token: string, kind: TokenKind): Promise<VerifyResult> {
    try {
      const { payload } = await this.jose.jwtVerify(token, this.secret, { issuer: 'ksef-simulator', currentDate: this.clock.date(), clockTolerance: 0 });
      const claims = payload as unknown as SimTokenClaims & { exp: number };
      if (claims.typ !== kind) return { ok: false, reason: 'wrong-type' };
      return { ok: true, claims, expiresAt: new Date(claims.exp * 1000) };
    } catch (error) {
      return { ok: false, reason: (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid' };
    }
  }
}
