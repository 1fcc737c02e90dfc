import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SimClock } from '../domain/clock';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { SettingsRepository } from '../infrastructure/settings.repository';

/**
 * Links that work without an access token (UPO downloads, batch part uploads), like KSeF's storage URLs:
 * `{base}/storage/{path}?exp={ms}&sig={HMAC}`, always on the simulator's own host.
 */
@Injectable()
export class SignedUrlService implements OnModuleInit {
  private secret!: Buffer;

  constructor(
    private readonly settingsRepo: SettingsRepository,
    private readonly clock: SimClock,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    this.secret = Buffer.from(await this.settingsRepo.getOrCreate<string>('url-secret', () => randomBytes(32).toString('base64')), 'base64');
  }

  baseUrl(request: FastifyRequest): string {
    if (this.settings.publicUrl) return this.settings.publicUrl.replace(/\/$/, '');
    return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  }

  sign(path: string, expiresAt: Date): string {
    return createHmac('sha256', this.secret).update(`${path}|${expiresAt.getTime()}`).digest('base64url');
  }

  url(request: FastifyRequest, path: string, expiresAt: Date): string {
    return `${this.baseUrl(request)}/storage/${path}?exp=${expiresAt.getTime()}&sig=${this.sign(path, expiresAt)}`;
  }

  /** 'ok', 'expired' or 'invalid'. */
  verify(path: string, exp: string | undefined, sig: string | undefined): 'ok' | 'expired' | 'invalid' {
    const expMs = Number(exp);
    if (!sig || !Number.isFinite(expMs)) return 'invalid';
    const expected = Buffer.from(this.sign(path, new Date(expMs)));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return this.clock.now() > expMs ? 'expired' : 'ok';
  }
}
