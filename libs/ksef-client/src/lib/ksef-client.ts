import { TransientError } from '@ksef-bridge/errors';
import {
  buildEncryptionInfo,
  encryptKsefToken,
  generateSymmetricKey,
  selectPublicKeyCertificate,
  type SymmetricKey,
} from './crypto/ksef-crypto';
import { buildAuthTokenRequestXml } from './auth/auth-token-request';
import { signXades, type XadesSigningCredentials } from './auth/xades-signer';
import { TokenManager, type SessionTokens } from './auth/token-manager';
import { KsefAmbiguousError, KsefAuthError, KsefProtocolError, KsefRateLimitError, KsefTransportError, isKsefError, type KsefRequestFacts } from './errors/ksef-errors';
import { KsefHttp, type KsefHttpOptions, type KsefHttpRequest, type KsefHttpResponse } from './http/ksef-http';
import { invoiceOutcome, isFinalOutcome, type InvoiceOutcome } from './invoices/invoice-outcome';
import { rateLimitGroupOf } from './limits/rate-limit-groups';
import { KsefRateLimiter } from './limits/rate-limiter';
import type {
  AuthenticationChallengeResponse,
  AuthenticationInitResponse,
  AuthenticationOperationStatusResponse,
  AuthenticationTokenRefreshResponse,
  AuthenticationTokensResponse,
  AuthorizationPolicy,
  BatchFileInfo,
  CompressionType,
  ContextIdentifier,
  EffectiveContextLimits,
  FormCode,
  InvoiceQueryFilters,
  OpenBatchSessionResponse,
  OpenOnlineSessionResponse,
  PublicKeyCertificate,
  PublicKeyCertificateUsage,
  QueryInvoicesMetadataResponse,
  RateLimitValues,
  SendInvoiceResponse,
  SessionInvoiceStatusResponse,
  SessionInvoicesResponse,
  SessionStatusResponse,
  TokenInfo,
} from './model/ksef-api.types';
import { FORM_CODES } from './model/ksef-api.types';
import { buildBatchArchive, prepareBatchPackage, type BatchInvoiceFile } from './sessions/batch-package';
import { OnlineSession, type OnlineSessionState, type PreparedSessionInvoice } from './sessions/online-session';
import type { RateLimitGroup, RateLimitTable } from './limits/rate-limit-groups';

/** How the client authenticates: a KSeF token, or an XAdES signature with the caller's certificate and key. */
export type KsefCredentials =
  | { type: 'ksef-token'; token: string }
  | ({ type: 'xades'; subjectIdentifierType?: 'certificateSubject' | 'certificateFingerprint' } & XadesSigningCredentials);

export interface KsefClientOptions extends Omit<KsefHttpOptions, 'baseUrl'> {
  /** API base URL ending in `/v2` (e.g. `https://api-test.ksef.mf.gov.pl/v2`, or a simulator's `http://host:port/v2`). */
  baseUrl: string;
  /** The context (taxpayer) this client acts in. One client per context. */
  context: ContextIdentifier;
  /** Credentials for automatic login. Without them, call `setTokens` yourself (or pass `accessTokenProvider`). */
  credentials?: KsefCredentials;
  /**
   * Where access tokens come from when this process must not hold credentials (e.g. the status-poller asking the
   * sender). When set, `credentials` are not used: the client asks the provider for a token, caches it until
   * `refreshBeforeMs` (default 30 000 ms here) before its `validUntil`, and on a 401 asks once more before failing.
   * `logout()` then only forgets the cached token (the KSeF authentication belongs to the provider).
   */
  accessTokenProvider?: AccessTokenProvider;
  authorizationPolicy?: AuthorizationPolicy;
  /**
   * Client-side limiter. Default: a private limiter with the published production limits. Share one instance across
   * clients of the same context and IP; pass `false` to disable.
   */
  rateLimiter?: KsefRateLimiter | false;
  /** Refresh the access token this long before it expires. Default 60 000 ms. */
  refreshBeforeMs?: number;
  /** Public-key certificates are cached this long. Default 3 600 000 ms (keys rotate; API.md §14). */
  publicKeyCacheMs?: number;
  /** Polling of auth status: interval (default 500 ms) and limit (default 60 000 ms). */
  authPollIntervalMs?: number;
  authTimeoutMs?: number;
  /** Sent as `X-KSeF-Feature` on session open, e.g. `upo-v4-3`. */
  sessionFeatures?: string[];
}

export interface WaitOptions {
  /** Poll interval. Default 1 000 ms. */
  intervalMs?: number;
  /** Give up after. Default 120 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PageOptions {
  /** 10–1000. Default 100. */
  pageSize?: number;
  continuationToken?: string;
  signal?: AbortSignal;
}

export interface BatchSendOptions {
  formCode?: FormCode;
  /** Default `Zip`. */
  compression?: CompressionType;
  /** Part size before encryption. Default 100 MB (KSeF's maximum). */
  maxPartSize?: number;
  /** Parallel part uploads. Default 4. */
  uploadConcurrency?: number;
  /** Attempts per part upload on retriable failures (a part PUT is idempotent). Default 3. */
  uploadAttempts?: number;
  offlineMode?: boolean;
  signal?: AbortSignal;
  /**
   * Called after every part is uploaded and right before the close request leaves, with the session's reference
   * number: the place to record durably that this package may be processed (a close whose answer is lost must be
   * resolved by the session status, not by sending the invoices again). A throw here aborts without closing: KSeF
   * never processes a batch session that was not closed (it is cancelled, status 440, when the upload window ends).
   */
  beforeClose?: (sessionReferenceNumber: string) => Promise<void>;
}

export interface BatchSendResult {
  referenceNumber: string;
  partCount: number;
  /** SHA-256 (Base64) per file name, to correlate KSeF's per-invoice results. */
  invoiceHashes: Record<string, string>;
}

/** An access token handed out by another holder of the credentials (see `KsefClient.currentAccessToken`). */
export interface ProvidedAccessToken {
  accessToken: string;
  /** ISO-8601. */
  validUntil: string;
}

export type AccessTokenProvider = (signal?: AbortSignal) => Promise<ProvidedAccessToken>;

/** Provider tokens are reused until this long before `validUntil` (unless `refreshBeforeMs` says otherwise). */
const PROVIDED_TOKEN_MARGIN_MS = 30_000;

/** Permissions a KSeF token can carry. */
export type KsefTokenPermission = 'InvoiceRead' | 'InvoiceWrite' | 'CredentialsRead' | 'CredentialsManage' | 'SubunitManage' | 'EnforcementOperations' | 'Introspection';

type Auth = 'access' | 'none' | { bearer: string };

interface CallSpec extends Omit<KsefHttpRequest, 'bearer' | 'tokenExpired'> {
  auth: Auth;
}

const enc = encodeURIComponent;

/**
 * Typed KSeF 2.0 client: authentication with automatic refresh, interactive and batch sessions, statuses, UPO,
 * invoice download, limits. Every failure is a KsefError (see `errors/ksef-errors.ts`); every call has a timeout,
 * goes through the rate limiter and never logs tokens, keys or invoice contents.
 */
export class KsefClient {
  readonly http: KsefHttp;
  readonly limiter?: KsefRateLimiter;
  readonly tokens: TokenManager;
  private readonly contextKey: string;
  private certificates?: { list: PublicKeyCertificate[]; fetchedAt: number };

  constructor(private readonly options: KsefClientOptions) {
    this.http = new KsefHttp(options);
    this.limiter = options.rateLimiter === false ? undefined : (options.rateLimiter ?? new KsefRateLimiter());
    this.contextKey = `${options.context.type}:${options.context.value}`;
    const provider = options.accessTokenProvider;
    this.tokens = new TokenManager({
      login: provider ? () => fromProvider(provider) : () => this.login(),
      refresh: (refreshToken) => this.refreshAccessToken(refreshToken).then((r) => r.accessToken),
      refreshBeforeMs: options.refreshBeforeMs ?? (provider ? PROVIDED_TOKEN_MARGIN_MS : undefined),
    });
  }

  /**
   * A valid access token of this context and its `validUntil` (ISO-8601), logging in or refreshing first when needed
   * (the same token the client itself uses). It is a secret: hand it only to trusted processes, never log it.
   */
  async currentAccessToken(signal?: AbortSignal): Promise<ProvidedAccessToken> {
    signal?.throwIfAborted();
    // The renewal is shared with concurrent callers, so an abort stops only this caller's wait, not the renewal.
    const info = await abortable(this.tokens.accessTokenInfo(), signal);
    return { accessToken: info.token, validUntil: info.validUntil };
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** Uses tokens obtained outside the client (e.g. a manual flow). */
  setTokens(tokens: SessionTokens): void {
    this.tokens.setTokens(tokens);
  }

  // ---------------------------------------------------------------- keys

  /** `GET /security/public-key-certificates` (no auth). */
  async getPublicKeyCertificates(signal?: AbortSignal): Promise<PublicKeyCertificate[]> {
    return this.call<PublicKeyCertificate[]>({ operation: 'getPublicKeyCertificates', method: 'GET', path: '/security/public-key-certificates', auth: 'none', idempotent: true, expect: [200], signal });
  }

  /** The certificate valid now for `usage`, from a cache refreshed every `publicKeyCacheMs`. */
  async publicKeyFor(usage: PublicKeyCertificateUsage, signal?: AbortSignal): Promise<PublicKeyCertificate> {
    const maxAge = this.options.publicKeyCacheMs ?? 3_600_000;
    let picked = this.certificates && Date.now() - this.certificates.fetchedAt < maxAge ? selectPublicKeyCertificate(this.certificates.list, usage) : undefined;
    if (!picked) {
      this.certificates = { list: await this.getPublicKeyCertificates(signal), fetchedAt: Date.now() };
      picked = selectPublicKeyCertificate(this.certificates.list, usage);
    }
    if (!picked) {
      throw new KsefProtocolError(`no valid public-key certificate with usage ${usage}`, {
        facts: { operation: 'getPublicKeyCertificates', method: 'GET', path: '/security/public-key-certificates', referenceNumbers: {} },
      });
    }
    return picked;
  }

  // ---------------------------------------------------------------- authentication

  /** `POST /auth/challenge`. */
  async getChallenge(signal?: AbortSignal): Promise<AuthenticationChallengeResponse> {
    return this.call({ operation: 'getChallenge', method: 'POST', path: '/auth/challenge', auth: 'none', idempotent: true, expect: [200], signal });
  }

  /** `POST /auth/ksef-token`: encrypts `token|timestampMs` with the `KsefTokenEncryption` key. */
  async authenticateWithKsefToken(ksefToken: string, signal?: AbortSignal): Promise<AuthenticationInitResponse> {
    const challenge = await this.getChallenge(signal);
    const certificate = await this.publicKeyFor('KsefTokenEncryption', signal);
    return this.call({
      operation: 'authenticateWithKsefToken',
      method: 'POST',
      path: '/auth/ksef-token',
      auth: 'none',
      idempotent: true,
      expect: [202],
      signal,
      json: {
        challenge: challenge.challenge,
        contextIdentifier: this.options.context,
        encryptedToken: encryptKsefToken(ksefToken, challenge.timestampMs, certificate),
        publicKeyId: certificate.publicKeyId,
        ...(this.options.authorizationPolicy ? { authorizationPolicy: this.options.authorizationPolicy } : {}),
      },
    });
  }

  /** `POST /auth/xades-signature`: an `AuthTokenRequest` signed (XAdES-BES, exclusive C14N) with the caller's key. */
  async authenticateWithXades(
    credentials: XadesSigningCredentials & { subjectIdentifierType?: 'certificateSubject' | 'certificateFingerprint' },
    signal?: AbortSignal,
  ): Promise<AuthenticationInitResponse> {
    const challenge = await this.getChallenge(signal);
    const xml = buildAuthTokenRequestXml({
      challenge: challenge.challenge,
      contextIdentifier: this.options.context,
      subjectIdentifierType: credentials.subjectIdentifierType,
      authorizationPolicy: this.options.authorizationPolicy,
    });
    return this.call({
      operation: 'authenticateWithXades',
      method: 'POST',
      path: '/auth/xades-signature',
      auth: 'none',
      idempotent: true,
      expect: [202],
      signal,
      headers: { 'content-type': 'application/xml' },
      body: signXades(xml, credentials),
    });
  }

  /** `GET /auth/{ref}` with the authentication token. */
  async getAuthStatus(referenceNumber: string, authenticationToken: string, signal?: AbortSignal): Promise<AuthenticationOperationStatusResponse> {
    return this.call({
      operation: 'getAuthStatus',
      method: 'GET',
      path: `/auth/${enc(referenceNumber)}`,
      auth: { bearer: authenticationToken },
      idempotent: true,
      expect: [200],
      signal,
      referenceNumbers: { authReferenceNumber: referenceNumber },
    });
  }

  /**
   * Polls the auth status until it is final. Resolves on 200; throws KsefAuthError `KSEF_AUTH_FAILED` otherwise
   * (retriable only for 500 unknown / 550 cancelled by the system, and for a poll that ran out of time).
   */
  async waitForAuthentication(init: AuthenticationInitResponse, signal?: AbortSignal): Promise<AuthenticationOperationStatusResponse> {
    const interval = this.options.authPollIntervalMs ?? 500;
    const deadline = Date.now() + (this.options.authTimeoutMs ?? 60_000);
    const facts: KsefRequestFacts = { operation: 'waitForAuthentication', method: 'GET', path: `/auth/${init.referenceNumber}`, referenceNumbers: { authReferenceNumber: init.referenceNumber } };
    for (;;) {
      const status = await this.getAuthStatus(init.referenceNumber, init.authenticationToken.token, signal);
      const code = status.status.code;
      if (code === 200) return status;
      if (code !== 100) {
        throw new KsefAuthError('KSEF_AUTH_FAILED', `authentication failed: ${code} ${status.status.description}`, code === 500 || code === 550, {
          facts,
          responseBody: status,
          authStatusCode: code,
        });
      }
      if (Date.now() > deadline) {
        throw new KsefAuthError('KSEF_AUTH_FAILED', 'authentication still in progress after the poll limit', true, { facts, responseBody: status, authStatusCode: code });
      }
      await sleep(interval, signal);
    }
  }

  /** `POST /auth/token/redeem` — only once per authentication (a second redeem is 400 / 21301). */
  async redeemTokens(authenticationToken: string, signal?: AbortSignal): Promise<AuthenticationTokensResponse> {
    return this.call({ operation: 'redeemTokens', method: 'POST', path: '/auth/token/redeem', auth: { bearer: authenticationToken }, idempotent: false, expect: [200], signal });
  }

  /** `POST /auth/token/refresh` with the refresh token. */
  async refreshAccessToken(refreshToken: string, signal?: AbortSignal): Promise<AuthenticationTokenRefreshResponse> {
    return this.call({ operation: 'refreshAccessToken', method: 'POST', path: '/auth/token/refresh', auth: { bearer: refreshToken }, idempotent: true, expect: [200], signal });
  }

  /** Full authentication with the configured credentials: challenge, auth, poll, redeem. Used by the token manager. */
  async login(signal?: AbortSignal): Promise<SessionTokens> {
    const credentials = this.options.credentials;
    if (!credentials) {
      throw new KsefAuthError('KSEF_UNAUTHORIZED', 'no credentials configured and no valid tokens set', false, {
        facts: { operation: 'login', method: 'POST', path: '/auth', referenceNumbers: {} },
      });
    }
    const init = credentials.type === 'ksef-token' ? await this.authenticateWithKsefToken(credentials.token, signal) : await this.authenticateWithXades(credentials, signal);
    await this.waitForAuthentication(init, signal);
    return this.redeemTokens(init.authenticationToken.token, signal);
  }

  /** `DELETE /auth/sessions/current`: revokes this authentication and its refresh tokens. */
  async logout(signal?: AbortSignal): Promise<void> {
    if (this.options.accessTokenProvider) {
      // The authentication is the provider's; revoking it here would cut off the provider and its other users.
      this.tokens.clear();
      return;
    }
    await this.call({ operation: 'logout', method: 'DELETE', path: '/auth/sessions/current', auth: 'access', idempotent: true, expect: [204], signal });
    this.tokens.clear();
  }

  /** `POST /tokens`: generates a KSeF token (needs an authenticated session; the token is a secret, shown once). */
  async generateKsefToken(request: { permissions: KsefTokenPermission[]; description: string }, signal?: AbortSignal): Promise<{ referenceNumber: string; token: string }> {
    return this.call({ operation: 'generateKsefToken', method: 'POST', path: '/tokens', auth: 'access', idempotent: false, expect: [202], signal, json: request });
  }

  /** `GET /tokens/{ref}`: status `Pending|Active|Revoking|Revoked|Failed`. */
  async getKsefTokenStatus(referenceNumber: string, signal?: AbortSignal): Promise<{ referenceNumber: string; status: string; [key: string]: unknown }> {
    return this.call({ operation: 'getKsefTokenStatus', method: 'GET', path: `/tokens/${enc(referenceNumber)}`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { tokenReferenceNumber: referenceNumber } });
  }

  /** `DELETE /tokens/{ref}`: revokes a KSeF token. */
  async revokeKsefToken(referenceNumber: string, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'revokeKsefToken', method: 'DELETE', path: `/tokens/${enc(referenceNumber)}`, auth: 'access', idempotent: true, expect: [204], signal, referenceNumbers: { tokenReferenceNumber: referenceNumber } });
  }

  // ---------------------------------------------------------------- interactive sessions

  /** `POST /sessions/online` with a fresh AES key wrapped by the `SymmetricKeyEncryption` certificate. */
  async openOnlineSession(options: { formCode?: FormCode; signal?: AbortSignal } = {}): Promise<OnlineSession> {
    const formCode = options.formCode ?? FORM_CODES.FA3;
    const symmetric = generateSymmetricKey();
    const certificate = await this.publicKeyFor('SymmetricKeyEncryption', options.signal);
    const headers = this.options.sessionFeatures?.length ? { 'x-ksef-feature': this.options.sessionFeatures.join(', ') } : undefined;
    const response = await this.call<OpenOnlineSessionResponse>({
      operation: 'openOnlineSession',
      method: 'POST',
      path: '/sessions/online',
      auth: 'access',
      idempotent: false,
      expect: [201],
      headers,
      signal: options.signal,
      json: { formCode, encryption: buildEncryptionInfo(symmetric, certificate) },
    });
    return new OnlineSession(this, response.referenceNumber, response.validUntil, formCode, symmetric);
  }

  /** Continues a session opened earlier (e.g. by a process that restarted) from its exported state. */
  resumeOnlineSession(state: OnlineSessionState): OnlineSession {
    const symmetric: SymmetricKey = { key: Buffer.from(state.symmetricKey, 'base64'), iv: Buffer.from(state.initializationVector, 'base64') };
    return new OnlineSession(this, state.referenceNumber, state.validUntil, state.formCode, symmetric);
  }

  /** Low level send; prefer `OnlineSession.sendInvoice`. Not idempotent: a lost answer is KsefAmbiguousError. */
  async sendInvoiceRaw(sessionReferenceNumber: string, invoice: PreparedSessionInvoice, signal?: AbortSignal): Promise<SendInvoiceResponse> {
    return this.call({
      operation: 'sendInvoice',
      method: 'POST',
      path: `/sessions/online/${enc(sessionReferenceNumber)}/invoices`,
      auth: 'access',
      idempotent: false,
      expect: [202],
      signal,
      referenceNumbers: { sessionReferenceNumber, invoiceHash: invoice.invoiceHash },
      json: {
        invoiceHash: invoice.invoiceHash,
        invoiceSize: invoice.invoiceSize,
        encryptedInvoiceHash: invoice.encryptedInvoiceHash,
        encryptedInvoiceSize: invoice.encryptedInvoiceSize,
        encryptedInvoiceContent: invoice.encryptedInvoiceContent,
        ...(invoice.offlineMode !== undefined ? { offlineMode: invoice.offlineMode } : {}),
        ...(invoice.hashOfCorrectedInvoice ? { hashOfCorrectedInvoice: invoice.hashOfCorrectedInvoice } : {}),
      },
    });
  }

  /** `POST /sessions/online/{ref}/close` → 204. */
  async closeOnlineSession(sessionReferenceNumber: string, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'closeOnlineSession', method: 'POST', path: `/sessions/online/${enc(sessionReferenceNumber)}/close`, auth: 'access', idempotent: false, expect: [204], signal, referenceNumbers: { sessionReferenceNumber } });
  }

  // ---------------------------------------------------------------- statuses and lists

  /** `GET /sessions/{ref}` (online or batch). */
  async getSessionStatus(sessionReferenceNumber: string, signal?: AbortSignal): Promise<SessionStatusResponse> {
    return this.call({ operation: 'getSessionStatus', method: 'GET', path: `/sessions/${enc(sessionReferenceNumber)}`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { sessionReferenceNumber } });
  }

  /** Polls the session status until `done(status)` holds (default: code ≠ 100/150/170, i.e. processed or failed). */
  async waitForSessionStatus(sessionReferenceNumber: string, options: WaitOptions & { done?: (s: SessionStatusResponse) => boolean } = {}): Promise<SessionStatusResponse> {
    const done = options.done ?? ((s: SessionStatusResponse) => ![100, 150, 170].includes(s.status.code));
    return poll(() => this.getSessionStatus(sessionReferenceNumber, options.signal), done, options, 'session status');
  }

  /** `GET /sessions/{ref}/invoices` (one page; `x-continuation-token` header for the next). */
  async listSessionInvoices(sessionReferenceNumber: string, options: PageOptions = {}): Promise<SessionInvoicesResponse> {
    return this.listInvoices('listSessionInvoices', `/sessions/${enc(sessionReferenceNumber)}/invoices`, sessionReferenceNumber, options);
  }

  /** `GET /sessions/{ref}/invoices/failed` (one page). */
  async listFailedSessionInvoices(sessionReferenceNumber: string, options: PageOptions = {}): Promise<SessionInvoicesResponse> {
    return this.listInvoices('listFailedSessionInvoices', `/sessions/${enc(sessionReferenceNumber)}/invoices/failed`, sessionReferenceNumber, options);
  }

  /** Every invoice of a session, following continuation tokens. */
  async *iterateSessionInvoices(sessionReferenceNumber: string, options: { failedOnly?: boolean; pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<SessionInvoiceStatusResponse> {
    let continuationToken: string | undefined;
    do {
      const page = options.failedOnly
        ? await this.listFailedSessionInvoices(sessionReferenceNumber, { pageSize: options.pageSize, continuationToken, signal: options.signal })
        : await this.listSessionInvoices(sessionReferenceNumber, { pageSize: options.pageSize, continuationToken, signal: options.signal });
      yield* page.invoices;
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
  }

  /** The session's invoice with this SHA-256 (Base64), if KSeF registered it: reconciliation after an ambiguous send. */
  async findSessionInvoiceByHash(sessionReferenceNumber: string, invoiceHash: string, signal?: AbortSignal): Promise<SessionInvoiceStatusResponse | undefined> {
    for await (const invoice of this.iterateSessionInvoices(sessionReferenceNumber, { pageSize: 1000, signal })) {
      if (invoice.invoiceHash === invoiceHash) return invoice;
    }
    return undefined;
  }

  /** `GET /sessions/{ref}/invoices/{invoiceRef}`. */
  async getInvoiceStatus(sessionReferenceNumber: string, invoiceReferenceNumber: string, signal?: AbortSignal): Promise<SessionInvoiceStatusResponse> {
    return this.call({
      operation: 'getInvoiceStatus',
      method: 'GET',
      path: `/sessions/${enc(sessionReferenceNumber)}/invoices/${enc(invoiceReferenceNumber)}`,
      auth: 'access',
      idempotent: true,
      expect: [200],
      signal,
      referenceNumbers: { sessionReferenceNumber, invoiceReferenceNumber },
    });
  }

  /** Polls an invoice until its outcome is final (accepted, duplicate, rejected, cancelled). */
  async waitForInvoiceOutcome(sessionReferenceNumber: string, invoiceReferenceNumber: string, options: WaitOptions = {}): Promise<InvoiceOutcome> {
    const status = await poll(() => this.getInvoiceStatus(sessionReferenceNumber, invoiceReferenceNumber, options.signal), (s) => isFinalOutcome(invoiceOutcome(s)), options, 'invoice status');
    return invoiceOutcome(status);
  }

  // ---------------------------------------------------------------- UPO

  /** `GET /sessions/{ref}/invoices/{invoiceRef}/upo` → UPO XML. */
  async getInvoiceUpo(sessionReferenceNumber: string, invoiceReferenceNumber: string, signal?: AbortSignal): Promise<string> {
    return this.xml({ operation: 'getInvoiceUpo', method: 'GET', path: `/sessions/${enc(sessionReferenceNumber)}/invoices/${enc(invoiceReferenceNumber)}/upo`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { sessionReferenceNumber, invoiceReferenceNumber } });
  }

  /** `GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo` → UPO XML. */
  async getInvoiceUpoByKsefNumber(sessionReferenceNumber: string, ksefNumber: string, signal?: AbortSignal): Promise<string> {
    return this.xml({ operation: 'getInvoiceUpoByKsefNumber', method: 'GET', path: `/sessions/${enc(sessionReferenceNumber)}/invoices/ksef/${enc(ksefNumber)}/upo`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { sessionReferenceNumber, ksefNumber } });
  }

  /** `GET /sessions/{ref}/upo/{upoRef}` → one page of the session UPO (XML). */
  async getSessionUpo(sessionReferenceNumber: string, upoReferenceNumber: string, signal?: AbortSignal): Promise<string> {
    return this.xml({ operation: 'getSessionUpo', method: 'GET', path: `/sessions/${enc(sessionReferenceNumber)}/upo/${enc(upoReferenceNumber)}`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { sessionReferenceNumber, upoReferenceNumber } });
  }

  /** Fetches a `downloadUrl` KSeF returned (UPO page, invoice UPO) — without the access token, as KSeF requires. */
  async downloadFromUrl(url: string, signal?: AbortSignal): Promise<string> {
    return this.xml({ operation: 'downloadFromUrl', method: 'GET', path: url, auth: 'none', idempotent: true, expect: [200], signal });
  }

  // ---------------------------------------------------------------- batch sessions

  /** `POST /sessions/batch`: declares the package; returns where to upload each part. */
  async openBatchSession(request: { formCode?: FormCode; batchFile: BatchFileInfo; symmetric: SymmetricKey; offlineMode?: boolean; signal?: AbortSignal }): Promise<OpenBatchSessionResponse> {
    const certificate = await this.publicKeyFor('SymmetricKeyEncryption', request.signal);
    const headers = this.options.sessionFeatures?.length ? { 'x-ksef-feature': this.options.sessionFeatures.join(', ') } : undefined;
    return this.call({
      operation: 'openBatchSession',
      method: 'POST',
      path: '/sessions/batch',
      auth: 'access',
      idempotent: false,
      expect: [201],
      headers,
      signal: request.signal,
      json: {
        formCode: request.formCode ?? FORM_CODES.FA3,
        batchFile: request.batchFile,
        encryption: buildEncryptionInfo(request.symmetric, certificate),
        ...(request.offlineMode !== undefined ? { offlineMode: request.offlineMode } : {}),
      },
    });
  }

  /** Uploads one part exactly as instructed (method, URL, headers), without the access token. Idempotent. */
  async uploadBatchPart(instruction: OpenBatchSessionResponse['partUploadRequests'][number], part: Buffer, sessionReferenceNumber: string, signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(instruction.headers ?? {})) if (v !== null && v !== undefined) headers[k] = v;
    await this.call({
      operation: 'uploadBatchPart',
      method: instruction.method.toUpperCase() as KsefHttpRequest['method'],
      path: instruction.url,
      auth: 'none',
      idempotent: true,
      expect: [200, 201],
      headers,
      body: part,
      signal,
      referenceNumbers: { sessionReferenceNumber, ordinalNumber: String(instruction.ordinalNumber) },
    });
  }

  /** `POST /sessions/batch/{ref}/close` → 204: KSeF decrypts, joins and processes the package. */
  async closeBatchSession(sessionReferenceNumber: string, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'closeBatchSession', method: 'POST', path: `/sessions/batch/${enc(sessionReferenceNumber)}/close`, auth: 'access', idempotent: false, expect: [204], signal, referenceNumbers: { sessionReferenceNumber } });
  }

  /**
   * The whole batch flow: archive (ZIP or tar.gz), split, encrypt, hash, open, upload parts in parallel, close.
   * Follow the result with `waitForSessionStatus`.
   */
  async sendBatch(files: readonly BatchInvoiceFile[], options: BatchSendOptions = {}): Promise<BatchSendResult> {
    const compression = options.compression ?? 'Zip';
    const archive = await buildBatchArchive(files, compression);
    const symmetric = generateSymmetricKey();
    const pkg = prepareBatchPackage(archive, symmetric, { maxPartSize: options.maxPartSize, compression, files });
    const opened = await this.openBatchSession({ formCode: options.formCode, batchFile: pkg.batchFile, symmetric, offlineMode: options.offlineMode, signal: options.signal });
    const attempts = options.uploadAttempts ?? 3;
    await runConcurrently(opened.partUploadRequests, options.uploadConcurrency ?? 4, async (instruction) => {
      const part = pkg.encryptedParts[instruction.ordinalNumber - 1];
      if (!part) {
        throw new KsefProtocolError(`KSeF asked for part ${instruction.ordinalNumber}, which was not declared`, {
          facts: { operation: 'uploadBatchPart', method: instruction.method, path: '', referenceNumbers: { sessionReferenceNumber: opened.referenceNumber } },
        });
      }
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.uploadBatchPart(instruction, part, opened.referenceNumber, options.signal);
          return;
        } catch (error) {
          if (attempt >= attempts || !isKsefError(error) || !error.retriable) throw error;
          await sleep(250 * 2 ** (attempt - 1), options.signal);
        }
      }
    });
    if (options.beforeClose) await options.beforeClose(opened.referenceNumber);
    await this.closeBatchSession(opened.referenceNumber, options.signal);
    return { referenceNumber: opened.referenceNumber, partCount: pkg.encryptedParts.length, invoiceHashes: pkg.invoiceHashes };
  }

  // ---------------------------------------------------------------- invoices

  /** `POST /invoices/query/metadata`. */
  async queryInvoiceMetadata(filters: InvoiceQueryFilters, options: { pageOffset?: number; pageSize?: number; sortOrder?: 'Asc' | 'Desc'; signal?: AbortSignal } = {}): Promise<QueryInvoicesMetadataResponse> {
    return this.call({
      operation: 'queryInvoiceMetadata',
      method: 'POST',
      path: '/invoices/query/metadata',
      auth: 'access',
      idempotent: true,
      expect: [200],
      signal: options.signal,
      query: { pageOffset: options.pageOffset, pageSize: options.pageSize, sortOrder: options.sortOrder },
      json: filters,
    });
  }

  /** `GET /invoices/ksef/{ksefNumber}` → the invoice XML as stored by KSeF. */
  async downloadInvoice(ksefNumber: string, signal?: AbortSignal): Promise<string> {
    return this.xml({ operation: 'downloadInvoice', method: 'GET', path: `/invoices/ksef/${enc(ksefNumber)}`, auth: 'access', idempotent: true, expect: [200], signal, referenceNumbers: { ksefNumber } });
  }

  // ---------------------------------------------------------------- limits

  /** `GET /limits/context`: session limits of the current context. */
  async getContextLimits(signal?: AbortSignal): Promise<EffectiveContextLimits> {
    return this.call({ operation: 'getContextLimits', method: 'GET', path: '/limits/context', auth: 'access', idempotent: true, expect: [200], signal });
  }

  /** `GET /rate-limits`: effective API rate limits. */
  async getRateLimits(signal?: AbortSignal): Promise<Record<RateLimitGroup, RateLimitValues>> {
    return this.call({ operation: 'getRateLimits', method: 'GET', path: '/rate-limits', auth: 'access', idempotent: true, expect: [200], signal });
  }

  /** Reads `GET /rate-limits` and applies the effective values to the limiter (limits may change at any time). */
  async syncRateLimits(signal?: AbortSignal): Promise<RateLimitTable> {
    const limits = (await this.getRateLimits(signal)) as RateLimitTable;
    this.limiter?.setLimits(limits);
    return limits;
  }

  /** TE only: `POST /testdata/rate-limits` (custom limits for this context). */
  async setTestRateLimits(rateLimits: RateLimitTable, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'setTestRateLimits', method: 'POST', path: '/testdata/rate-limits', auth: 'access', idempotent: true, expect: [200, 204], signal, json: { rateLimits } });
  }

  /** TE only: `DELETE /testdata/rate-limits` (back to TE defaults). */
  async resetTestRateLimits(signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'resetTestRateLimits', method: 'DELETE', path: '/testdata/rate-limits', auth: 'access', idempotent: true, expect: [200, 204], signal });
  }

  /** TE only: `POST /testdata/limits/context/session` (session limits for this context). */
  async setTestSessionLimits(limits: EffectiveContextLimits, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'setTestSessionLimits', method: 'POST', path: '/testdata/limits/context/session', auth: 'access', idempotent: true, expect: [200, 204], signal, json: limits });
  }

  // ---------------------------------------------------------------- plumbing

  /** Sends a call through limiter, auth and transport; parses JSON. */
  private async call<T>(spec: CallSpec): Promise<T> {
    const res = await this.raw(spec);
    if (res.status === 204 || res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch (error) {
      throw new KsefProtocolError(`${spec.operation}: response is not JSON`, {
        facts: { operation: spec.operation, method: spec.method, path: spec.path, httpStatus: res.status, referenceNumbers: spec.referenceNumbers ?? {} },
        cause: error,
      });
    }
  }

  private async xml(spec: CallSpec): Promise<string> {
    return (await this.raw({ ...spec, headers: { accept: 'application/xml, application/json', ...(spec.headers ?? {}) } })).body.toString('utf8');
  }

  private async raw(spec: CallSpec): Promise<KsefHttpResponse> {
    const group = rateLimitGroupOf(spec.method, spec.path);
    for (let attempt = 0; ; attempt += 1) {
      // Token first (a login makes calls of its own and can take seconds), then the slot, then the token again (a
      // long wait for a slot may have brought it near expiry): the slot is recorded right before the call leaves.
      if (spec.auth === 'access') await this.tokens.accessToken();
      const slot = group && this.limiter ? await this.limiter.acquire(this.contextKey, group, spec.signal) : undefined;
      const bearer = spec.auth === 'access' ? await this.tokens.accessToken() : spec.auth === 'none' ? undefined : spec.auth.bearer;
      try {
        return await this.http.send({ ...spec, bearer, tokenExpired: spec.auth === 'access' ? () => this.tokens.isAccessTokenExpired() : undefined });
      } catch (error) {
        if (error instanceof KsefRateLimitError && group && this.limiter) this.limiter.penalise(this.contextKey, group, error.retryAfterMs);
        if (group && slot !== undefined && this.limiter && unansweredByKsef(error)) this.limiter.refund(this.contextKey, group, slot);
        // A 401 means KSeF did not act on the call, so one retry with a renewed token is safe even for sends.
        if (spec.auth === 'access' && attempt === 0 && error instanceof KsefAuthError && error.facts.httpStatus === 401) {
          await this.tokens.forceRenew();
          continue;
        }
        throw error;
      }
    }
  }

  private async listInvoices(operation: string, path: string, sessionReferenceNumber: string, options: PageOptions): Promise<SessionInvoicesResponse> {
    const res = await this.call<SessionInvoicesResponse>({
      operation,
      method: 'GET',
      path,
      auth: 'access',
      idempotent: true,
      expect: [200],
      signal: options.signal,
      query: { pageSize: options.pageSize ?? 100 },
      headers: options.continuationToken ? { 'x-continuation-token': options.continuationToken } : undefined,
      referenceNumbers: { sessionReferenceNumber },
    });
    return { ...res, invoices: res.invoices ?? [] };
  }
}

/**
 * Whether a failed call gives its rate-limit slot back: no answer at all (connection, DNS, timeout, reset) or a 5xx.
 * KSeF counts requests per (context, IP); a request that never reached it cannot have been counted, and one its
 * failing back end answered with 5xx may or may not have been. We refund both on purpose: if KSeF did count it, the
 * worst case is one 429 whose Retry-After the limiter then honours (`penalise`; the sender does not count 429s as
 * attempts), i.e. we never wait longer than KSeF asks. Charging them instead spends the budget during an outage
 * (every failed session open is an `onlineSession` call, 120 an hour) and blocks us for up to an hour after KSeF is
 * back, which KSeF never asked for (docs/ksef-client.md "Rate limits"). 4xx answers (429 included) stay charged.
 */
function unansweredByKsef(error: unknown): boolean {
  return error instanceof KsefTransportError || error instanceof KsefAmbiguousError;
}

/**
 * A provider's token as session tokens for the TokenManager. There is no refresh token (an already expired one), so
 * every renewal, including the one after a 401, asks the provider again.
 */
async function fromProvider(provider: AccessTokenProvider): Promise<SessionTokens> {
  const provided = await provider();
  if (!provided || typeof provided.accessToken !== 'string' || !provided.accessToken || Number.isNaN(Date.parse(provided.validUntil))) {
    throw new KsefAuthError('KSEF_UNAUTHORIZED', 'the access-token provider returned no usable token', true, {
      facts: { operation: 'accessTokenProvider', method: 'POST', path: '(provider)', referenceNumbers: {} },
    });
  }
  return { accessToken: { token: provided.accessToken, validUntil: provided.validUntil }, refreshToken: { token: '', validUntil: new Date(0).toISOString() } };
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function poll<T>(probe: () => Promise<T>, done: (value: T) => boolean, options: WaitOptions, what: string): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new PollTimeoutError(`${what} not final after ${options.timeoutMs ?? 120_000} ms`, value);
    await sleep(options.intervalMs ?? 1_000, options.signal);
  }
}

/** Thrown by the wait helpers when KSeF is still processing at the deadline; `last` is the last status seen. */
export class PollTimeoutError extends TransientError {
  constructor(
    message: string,
    readonly last: unknown,
  ) {
    super('KSEF_STILL_PROCESSING', message);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function runConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export type { TokenInfo };
