import type { AvailabilityWindows } from './availability-tracker';

/** KSeF availability monitoring (docs/sender.md "KSeF availability"). */
export interface AvailabilitySettings extends AvailabilityWindows {
  /** Health probe of KSeF every this many ms (0: no probe, the breaker alone decides). */
  probeIntervalMs: number;
  probeTimeoutMs: number;
  /** How often the state is re-derived (and the breaker read). */
  tickMs: number;
  /**
   * KSeF's announced-failure feed (Latarnia) base URL, read each probe round (every 15 s when the probe is off);
   * unset: not read, and the events carry no `announced` (availability/latarnia-url.ts picks it from the config).
   */
  latarniaUrl?: string;
}

export const DEFAULT_AVAILABILITY_SETTINGS: AvailabilitySettings = {
  probeIntervalMs: 15_000,
  probeTimeoutMs: 5_000,
  tickMs: 1_000,
  degradedAfterMs: 10_000,
  confirmMs: 60_000,
  recoverMs: 15_000,
};
