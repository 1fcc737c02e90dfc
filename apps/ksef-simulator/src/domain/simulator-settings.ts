/** Runtime settings of the simulator, decoupled from process.env so tests can build a simulator with their own. */
export interface SimulatorSettings {
  mode: 'test' | 'production';
  adminEnabled: boolean;
  publicUrl?: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authTokenTtlSeconds: number;
  processingDelayMs: number;
  authDelayMs: number;
  clockScale: number;
  rateLimits: 'te' | 'production' | 'off';
  faultSeed: number;
  /** Worker threads for the invoice checks (XSD); 0 = in the HTTP thread. Default 1 (SIM_PROCESSING_WORKERS). */
  processingWorkers?: number;
}
