import type { TokenInfo } from '../model/ksef-api.types';

export interface SessionTokens {
  accessToken: TokenInfo;
  refreshToken: TokenInfo;
}

export interface TokenManagerOptions {
  /** Full authentication (challenge → auth → poll → redeem). */
  login: () => Promise<SessionTokens>;
  /** `POST /auth/token/refresh` with the refresh token. */
  refresh: (refreshToken: string) => Promise<TokenInfo>;
  /** Refresh this long before `validUntil`. Default 60 000 ms. */
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * Keeps the access token fresh: refreshes it `refreshBeforeMs` before `validUntil` (KSeF advises refreshing before
 * expiry, not on 401), logs in again when the refresh token is about to expire or refreshing fails. Concurrent
 * callers share one refresh or login (single flight). Tokens never leave this object except as bearer values.
 */
export class TokenManager {
  private tokens?: SessionTokens;
  private inflight?: Promise<TokenInfo>;
  private readonly refreshBeforeMs: number;
  private readonly now: () => number;
  /** How many refreshes and logins happened (observable in tests and metrics; no token values). */
  readonly stats = { logins: 0, refreshes: 0 };

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Uses tokens obtained elsewhere (e.g. a manual authentication flow). */
  setTokens(tokens: SessionTokens): void {
    this.tokens = tokens;
  }

  /** True when the current access token has passed `validUntil` by our clock. */
  isAccessTokenExpired(): boolean {
    return !this.tokens || Date.parse(this.tokens.accessToken.validUntil) <= this.now();
  }

  /** A valid access token, refreshing or logging in first when needed. */
  async accessToken(): Promise<string> {
    return (await this.accessTokenInfo()).token;
  }

  /**
   * Like `accessToken()`, with its `validUntil`: for handing a short-lived access token to another process that must
   * never hold the credentials (e.g. the sender minting tokens for the status-poller).
   */
  async accessTokenInfo(): Promise<TokenInfo> {
    const t = this.tokens;
    if (t && Date.parse(t.accessToken.validUntil) - this.now() > this.refreshBeforeMs) return { ...t.accessToken };
    return { ...(await this.renew(false)) };
  }

  /** Forces a refresh (after an unexpected 401), or a login when there is nothing to refresh with. */
  async forceRenew(): Promise<string> {
    return (await this.renew(true)).token;
  }

  /** Forgets the tokens (after revoking the session). */
  clear(): void {
    this.tokens = undefined;
  }

  private renew(force: boolean): Promise<TokenInfo> {
    if (!this.inflight) {
      this.inflight = this.doRenew(force).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async doRenew(force: boolean): Promise<TokenInfo> {
    const t = this.tokens;
    if (!force && t && Date.parse(t.accessToken.validUntil) - this.now() > this.refreshBeforeMs) return t.accessToken;
    if (t && Date.parse(t.refreshToken.validUntil) - this.now() > this.refreshBeforeMs) {
      try {
        const accessToken = await this.options.refresh(t.refreshToken.token);
        this.stats.refreshes += 1;
        this.tokens = { accessToken, refreshToken: t.refreshToken };
        return accessToken;
      } catch (error) {
        // A refused refresh token (revoked session) is fixed by logging in again; anything else is reported.
        if (!isAuthFailure(error)) throw error;
      }
    }
    this.tokens = await this.options.login();
    this.stats.logins += 1;
    return this.tokens.accessToken;
  }
}

function isAuthFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { kind?: unknown }).kind === 'auth';
}
