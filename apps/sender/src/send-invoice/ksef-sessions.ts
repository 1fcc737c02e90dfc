import { FORM_CODES, KsefClient, KsefRateLimiter, PRODUCTION_RATE_LIMITS, TEST_ENVIRONMENT_RATE_LIMITS, type KsefCallHook, type OnlineSession } from '@ksef-bridge/ksef-client';
import type { Logger } from '@ksef-bridge/observability';
import { decodeCredentials, ksefCredentialsOf } from '../contexts/context-credentials';
import type { KsefContextRow } from '../contexts/ksef-context.repository';
import type { TokenCipher } from '../contexts/token-cipher';

/** A session is not reused this close to its `validUntil`: a send must not meet a session closing under it. */
const SESSION_EXPIRY_MARGIN_MS = 10 * 60_000;

interface OpenSession {
  session: OnlineSession;
  sent: number;
  lastUsedAt: number;
}

/**
 * One `KsefClient` per context (credentials decrypted when it is built, rebuilt when they change) sharing one
 * `KsefRateLimiter`, and one reused interactive session per context and form, replaced when it nears KSeF's
 * per-session invoice limit or its validity. A replaced session is closed so KSeF generates its session UPO.
 */
export class KsefSessions {
  private readonly clients = new Map<string, { version: string; client: KsefClient }>();
  private readonly sessions = new Map<string, OpenSession>();
  readonly limiter: KsefRateLimiter | undefined;

  constructor(
    private readonly options: {
      baseUrl: string;
      rateLimits: 'production' | 'te' | 'off';
      timeoutMs: number;
      sessionMaxInvoices: number;
      /** A session unused this long is closed, so KSeF issues its session UPO without waiting for its 12 h validity. */
      sessionIdleCloseMs: number;
      authPollIntervalMs?: number;
      /** Metrics hook of every client (`registerKsefCallMetrics`). */
      onCall?: KsefCallHook;
    },
    private readonly cipher: TokenCipher,
    private readonly logger: Logger,
  ) {
    this.limiter =
      options.rateLimits === 'off' ? undefined : new KsefRateLimiter({ limits: options.rateLimits === 'te' ? TEST_ENVIRONMENT_RATE_LIMITS : PRODUCTION_RATE_LIMITS });
  }

  client(context: KsefContextRow): KsefClient {
    const cached = this.clients.get(context.nip);
    if (cached && cached.version === context.updatedAt) return cached.client;
    if (cached) {
      this.dropSessions(context.nip);
      void cached.client.close();
    }
    const client = new KsefClient({
      baseUrl: this.options.baseUrl,
      context: { type: 'Nip', value: context.nip },
      credentials: ksefCredentialsOf(decodeCredentials(this.cipher.decrypt(context.sealed, context.nip))),
      rateLimiter: this.limiter ?? false,
      timeoutMs: this.options.timeoutMs,
      ...(this.options.authPollIntervalMs ? { authPollIntervalMs: this.options.authPollIntervalMs } : {}),
      ...(this.options.onCall ? { onCall: this.options.onCall } : {}),
    });
    this.clients.set(context.nip, { version: context.updatedAt, client });
    return client;
  }

  /** The context's open session for `form`, opening one when there is none or it is full or about to expire. */
  async session(context: KsefContextRow, form: 'FA(2)' | 'FA(3)'): Promise<OnlineSession> {
    const key = `${context.nip}|${form}`;
    const open = this.sessions.get(key);
    if (open && open.sent < this.options.sessionMaxInvoices && Date.parse(open.session.validUntil) - Date.now() > SESSION_EXPIRY_MARGIN_MS) {
      open.lastUsedAt = Date.now();
      return open.session;
    }
    if (open) this.retire(key, open);
    const session = await this.client(context).openOnlineSession({ formCode: form === 'FA(2)' ? FORM_CODES.FA2 : FORM_CODES.FA3 });
    this.sessions.set(key, { session, sent: 0, lastUsedAt: Date.now() });
    this.logger.info({ nip: context.nip, form, session: session.referenceNumber }, 'KSeF interactive session opened');
    return session;
  }

  /** Counts a send into the session (KSeF counts every received invoice against the session limit). */
  noteSent(nip: string, form: string): void {
    const open = this.sessions.get(`${nip}|${form}`);
    if (open) open.sent += 1;
  }

  /** Forgets a session KSeF no longer takes invoices into (closed, expired). */
  forget(nip: string, form: string): void {
    this.sessions.delete(`${nip}|${form}`);
  }

  /** Closes the sessions idle for `sessionIdleCloseMs` (called between scheduler rounds, never during a send). */
  async closeIdle(now = Date.now()): Promise<void> {
    const idle = [...this.sessions.entries()].filter(([, open]) => now - open.lastUsedAt >= this.options.sessionIdleCloseMs);
    for (const [key] of idle) this.sessions.delete(key);
    await Promise.all(idle.map(([key, open]) => this.closeSession(key, open)));
  }

  /** Closes every open session (best effort) and the clients' connection pools. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.entries()].map(([key, open]) => this.closeSession(key, open)));
    this.sessions.clear();
    await Promise.all([...this.clients.values()].map((c) => c.client.close().catch(() => undefined)));
    this.clients.clear();
  }

  private dropSessions(nip: string): void {
    for (const [key, open] of this.sessions) if (key.startsWith(`${nip}|`)) this.retire(key, open);
  }

  private retire(key: string, open: OpenSession): void {
    this.sessions.delete(key);
    void this.closeSession(key, open);
  }

  private async closeSession(key: string, open: OpenSession): Promise<void> {
    try {
      await open.session.close();
      this.logger.info({ session: open.session.referenceNumber, sent: open.sent }, 'KSeF interactive session closed');
    } catch (err) {
      // KSeF closes an open session by itself after its validity; a failed close loses nothing.
      this.logger.warn({ err, session: open.session.referenceNumber, key }, 'closing a KSeF session failed');
    }
  }
}
