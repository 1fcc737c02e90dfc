// Typed KSeF 2.0 client (issue #4). Curated public API: import only from '@ksef-bridge/ksef-client'.
// Usage for integrators: docs/ksef-client.md.

/**
 * The client. Defaults: whole-call timeout 30 s, connect timeout 10 s, 10 keep-alive sockets, access token refreshed
 * 60 s before expiry, public keys cached 1 h, auth polled every 500 ms for up to 60 s, rate limiter with the
 * published production limits.
 */
export { KsefClient, PollTimeoutError } from './lib/ksef-client';
export type { KsefClientOptions, KsefCredentials, AccessTokenProvider, ProvidedAccessToken, KsefTokenPermission, WaitOptions, PageOptions, BatchSendOptions, BatchSendResult } from './lib/ksef-client';
export { OnlineSession } from './lib/sessions/online-session';
export type { OnlineSessionState, PreparedSessionInvoice, SentInvoice } from './lib/sessions/online-session';

/** Transport: undici keep-alive pool, timeout on every call, failures classified. */
export { KsefHttp } from './lib/http/ksef-http';
export type { KsefHttpOptions, KsefHttpRequest, KsefHttpResponse, KsefLogger } from './lib/http/ksef-http';

/** Metrics: `onCall` hook events (templated routes, never ids) and the ready-made Prometheus families. */
export type { KsefCallEvent, KsefCallHook } from './lib/http/ksef-http';
export { ksefRouteOf } from './lib/http/ksef-route';
export { registerKsefCallMetrics } from './lib/http/ksef-call-metrics';

/** Error taxonomy: transport / rate-limit / auth / logical / ambiguous (+ protocol), on @ksef-bridge/errors. */
export {
  KsefTransportError,
  KsefRateLimitError,
  KsefAuthError,
  KsefLogicalError,
  KsefAmbiguousError,
  KsefProtocolError,
  KsefInvoiceRejectedError,
  RETRIABLE_EXCEPTION_CODES,
  isKsefError,
} from './lib/errors/ksef-errors';
export type { KsefError, KsefErrorKind, KsefRequestFacts, KsefAuthErrorCode } from './lib/errors/ksef-errors';
export { classifyResponse, classifyNetworkError, parseRetryAfter, DEFAULT_RETRY_AFTER_MS } from './lib/errors/classify';
export { parseKsefErrorBody } from './lib/errors/ksef-error-body';
export type { ParsedKsefErrorBody, KsefExceptionDetail } from './lib/errors/ksef-error-body';

/** Crypto: AES-256-CBC/PKCS#7 (random key+IV per session), SHA-256 Base64, RSA-OAEP SHA-256/MGF1-SHA-256. */
export {
  sha256Base64,
  generateSymmetricKey,
  aesEncrypt,
  aesDecrypt,
  rsaOaepEncrypt,
  buildEncryptionInfo,
  encryptKsefToken,
  encryptInvoice,
  selectPublicKeyCertificate,
} from './lib/crypto/ksef-crypto';
export type { SymmetricKey, PreparedInvoice } from './lib/crypto/ksef-crypto';

/** Authentication helpers: AuthTokenRequest XML, XAdES-BES signing (exclusive C14N), self-signed TE certificates. */
export { buildAuthTokenRequestXml, AUTH_TOKEN_REQUEST_NAMESPACE } from './lib/auth/auth-token-request';
export type { AuthTokenRequestInput } from './lib/auth/auth-token-request';
export { signXades, verifyXadesSignature } from './lib/auth/xades-signer';
export type { XadesSigningCredentials, XadesSignOptions } from './lib/auth/xades-signer';
export { createSelfSignedCertificate } from './lib/auth/self-signed-certificate';
export type { SelfSignedCertificateOptions } from './lib/auth/self-signed-certificate';
export { TokenManager } from './lib/auth/token-manager';
export type { SessionTokens, TokenManagerOptions } from './lib/auth/token-manager';

/** Rate limits: published tables, endpoint → group mapping, sliding-window limiter (default safety margin 150 ms). */
export { KsefRateLimiter } from './lib/limits/rate-limiter';
export type { RateLimiterOptions } from './lib/limits/rate-limiter';
export { PRODUCTION_RATE_LIMITS, TEST_ENVIRONMENT_RATE_LIMITS, rateLimitGroupOf } from './lib/limits/rate-limit-groups';
export type { RateLimitGroup, RateLimitTable } from './lib/limits/rate-limit-groups';

/** Batch packages: ZIP / tar.gz, split ≤ 100 MB, ≤ 50 parts, encrypted and hashed. */
export { buildBatchArchive, prepareBatchPackage, BATCH_LIMITS } from './lib/sessions/batch-package';
export type { BatchInvoiceFile, PreparedBatchPackage } from './lib/sessions/batch-package';

/** Invoice outcomes: pending / accepted / duplicate (success) / rejected / cancelled. */
export { invoiceOutcome, isFinalOutcome, assertInvoiceAccepted } from './lib/invoices/invoice-outcome';
export type { InvoiceOutcome } from './lib/invoices/invoice-outcome';

/** Helpers: KSeF-number validation, QR KOD I link. */
export { validateKsefNumber } from './lib/helpers/ksef-number';
export type { KsefNumberValidation } from './lib/helpers/ksef-number';
export { buildKodIUrl, kodICaption, KSEF_QR_BASE_URLS } from './lib/helpers/qr-code';
export type { KodIOptions, KsefEnvironment } from './lib/helpers/qr-code';

/** API shapes (from open-api.json). */
export { FORM_CODES } from './lib/model/ksef-api.types';
export type * from './lib/model/ksef-api.types';
