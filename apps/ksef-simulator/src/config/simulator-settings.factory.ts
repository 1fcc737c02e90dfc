import type { SimulatorSettings } from '../domain/simulator-settings';
import type { SimulatorConfig } from './simulator.config';

/** Maps the validated environment onto SimulatorSettings. */
export function settingsFromConfig(c: SimulatorConfig): SimulatorSettings {
  return {
    mode: c.SIM_MODE,
    adminEnabled: c.SIM_ADMIN_ENABLED,
    publicUrl: c.SIM_PUBLIC_URL,
    accessTokenTtlSeconds: c.SIM_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: c.SIM_REFRESH_TOKEN_TTL_SECONDS,
    authTokenTtlSeconds: c.SIM_AUTH_TOKEN_TTL_SECONDS,
    processingDelayMs: c.SIM_PROCESSING_DELAY_MS,
    authDelayMs: c.SIM_AUTH_DELAY_MS,
    clockScale: c.SIM_CLOCK_SCALE,
    rateLimits: c.SIM_RATE_LIMITS,
    faultSeed: c.SIM_FAULT_SEED,
    processingWorkers: c.SIM_PROCESSING_WORKERS,
  };
}
