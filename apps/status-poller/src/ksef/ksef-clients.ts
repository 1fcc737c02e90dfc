import { KsefClient, KsefRateLimiter, PRODUCTION_RATE_LIMITS, TEST_ENVIRONMENT_RATE_LIMITS, type KsefCallHook } from '@ksef-bridge/ksef-client';
import type { SenderTokenClient } from './sender-token.client';

export interface KsefClientsOptions {
  baseUrl: string;
  rateLimits: 'production' | 'te' | 'off';
  timeoutMs: number;
}

/**
 * One `KsefClient` per context, authenticated by access tokens the sender hands out (never a KSeF token here), all
 * sharing one `KsefRateLimiter` (limits count per context and IP). The client caches a token until shortly before
 * its `validUntil` and asks again once on a 401.
 */
export class KsefClients {
  private readonly clients = new Map<string, KsefClient>();
  readonly limiter: KsefRateLimiter | undefined;
  /** Reports every KSeF call (route, status, duration) to the metrics; set once at start. */
  onCall?: KsefCallHook;

  constructor(
    private readonly options: KsefClientsOptions,
    private readonly tokens: SenderTokenClient,
  ) {
    this.limiter = options.rateLimits === 'off' ? undefined : new KsefRateLimiter({ limits: options.rateLimits === 'te' ? TEST_ENVIRONMENT_RATE_LIMITS : PRODUCTION_RATE_LIMITS });
  }

  client(nip: string): KsefClient {
    let client = this.clients.get(nip);
    if (!client) {
      client = new KsefClient({
        baseUrl: this.options.baseUrl,
        context: { type: 'Nip', value: nip },
        accessTokenProvider: (signal) => this.tokens.accessToken(nip, signal),
        rateLimiter: this.limiter ?? false,
        timeoutMs: this.options.timeoutMs,
        onCall: (event) => this.onCall?.(event),
      });
      this.clients.set(nip, client);
    }
    return client;
  }

  /**
   * How long until `calls` calls of `group` in this context could all have started within the shared limiter's budget
   * (0: now). Records nothing: it lets the poller pick listing or per-invoice reads, or come back later instead of
   * holding a worker in the limiter's queue.
   */
  waitMs(nip: string, group: 'invoiceStatus' | 'sessionInvoiceList' | 'sessionMisc', calls = 1): number {
    if (!this.limiter) return 0;
    const last = this.limiter.plan(`Nip:${nip}`, group, Math.max(1, calls)).at(-1);
    return last === undefined ? 0 : Math.max(0, last - Date.now());
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
