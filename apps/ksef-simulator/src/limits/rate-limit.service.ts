import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SimClock } from '../domain/clock';
import { groupOf, PRODUCTION_LIMITS, teLimits, type GroupLimits, type LimitValues } from '../domain/rate-limit/rate-limit-groups';
import { SlidingWindowLimiter, type LimitDecision } from '../domain/rate-limit/sliding-window-limiter';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { SettingsRepository } from '../infrastructure/settings.repository';

/** `POST /auth/challenge` is limited per IP only (60 req/s). */
const CHALLENGE_LIMITS: LimitValues = { perSecond: 60, perMinute: 3_600, perHour: 216_000 };

/**
 * Rate limits per (context, client IP). Each context starts with the configured default (TE = 10x production,
 * production, or off); TE's test endpoints switch a context to production values, set custom ones, or reset.
 */
@Injectable()
export class RateLimitService implements OnModuleInit {
  private readonly limiter = new SlidingWindowLimiter();
  private readonly overrides = new Map<string, GroupLimits | null>();

  constructor(
    private readonly settingsRepo: SettingsRepository,
    private readonly clock: SimClock,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const { key, value } of await this.settingsRepo.byPrefix<GroupLimits>('rate-limits:')) this.overrides.set(key.slice('rate-limits:'.length), value);
  }

  defaults(): GroupLimits | null {
    if (this.settings.rateLimits === 'off') return null;
    return this.settings.rateLimits === 'production' || this.settings.mode === 'production' ? PRODUCTION_LIMITS : teLimits();
  }

  async effective(context: string): Promise<GroupLimits | null> {
    if (!this.overrides.has(context)) {
      const stored = await this.settingsRepo.get<GroupLimits>(`rate-limits:${context}`);
      this.overrides.set(context, stored ?? null);
    }
    return this.overrides.get(context) ?? this.defaults();
  }

  async setOverride(context: string, limits: GroupLimits | undefined): Promise<void> {
    if (limits) await this.settingsRepo.set(`rate-limits:${context}`, limits);
    else await this.settingsRepo.delete(`rate-limits:${context}`);
    this.overrides.set(context, limits ?? null);
  }

  resetCounters(): void {
    this.limiter.reset();
  }

  /** True when no context can have limits (SIM_RATE_LIMITS=off and no override set): the hot path skips the check. */
  get disabled(): boolean {
    return this.settings.rateLimits === 'off' && ![...this.overrides.values()].some(Boolean);
  }

  /** Decision for one request; `context` is the caller's context ("-" when unauthenticated). */
  async check(method: string, routeUrl: string, context: string, ip: string): Promise<LimitDecision> {
    const group = groupOf(method, routeUrl);
    if (!group) return { allowed: true };
    if (group === 'challenge') {
      if (this.settings.rateLimits === 'off') return { allowed: true };
      return this.limiter.check(`challenge|${ip}`, CHALLENGE_LIMITS, this.clock.now());
    }
    const limits = await this.effective(context);
    if (!limits) return { allowed: true };
    return this.limiter.check(`${group}|${context}|${ip}`, limits[group], this.clock.now());
  }
}
