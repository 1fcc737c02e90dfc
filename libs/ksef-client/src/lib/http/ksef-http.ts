import { Agent, request, type Dispatcher } from 'undici';
import { classifyNetworkError, classifyResponse } from '../errors/classify';
import type { KsefError, KsefRequestFacts } from '../errors/ksef-errors';
import { rateLimitGroupOf, type RateLimitGroup } from '../limits/rate-limit-groups';
import { ksefRouteOf } from './ksef-route';

/**
 * One finished KSeF HTTP call, as the metrics hook sees it: no ids, tokens or contents. Exactly one of `status`
 * (KSeF answered) and `error` (no answer: `timeout`, `network`, or `aborted` by the caller's signal) is set.
 */
export interface KsefCallEvent {
  /** Client operation name, e.g. `sendInvoice`. */
  operation: string;
  method: KsefHttpRequest['method'];
  /** Templated path (`/sessions/online/{referenceNumber}/invoices`), `(external)` for URLs KSeF handed out. */
  route: string;
  /** KSeF rate-limit group of the call; `none` for calls KSeF does not count per context. */
  group: RateLimitGroup | 'none';
  status?: number;
  error?: 'timeout' | 'network' | 'aborted';
  durationMs: number;
  /** On a 429: how long KSeF asked us to wait (Retry-After, or the client's default when absent). */
  retryAfterMs?: number;
}

/** Called once per HTTP call after it ends. Must not throw (a throw is swallowed: metrics never fail a call). */
export type KsefCallHook = (event: KsefCallEvent) => void;

/** The subset of a pino logger the client uses; it never receives tokens, keys or invoice contents. */
export interface KsefLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
}

export interface KsefHttpOptions {
  /** API base URL ending in `/v2`, e.g. `https://api-test.ksef.mf.gov.pl/v2`. */
  baseUrl: string;
  /** Whole-call timeout (connect, headers and body). Default 30 000 ms. */
  timeoutMs?: number;
  /** TCP/TLS connect timeout. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Keep-alive sockets per origin. Default 10. */
  connections?: number;
  /** How long an idle keep-alive socket is kept. Default 4 000 ms (below common server idle timeouts of 5 s). */
  keepAliveTimeoutMs?: number;
  /** Own undici dispatcher (tests, proxies). When given, the client does not close it. */
  dispatcher?: Dispatcher;
  logger?: KsefLogger;
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /** Metrics hook, called after every call (see `registerKsefCallMetrics`). Default: none. */
  onCall?: KsefCallHook;
}

export interface KsefHttpRequest {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path relative to the base URL (`/sessions/...`), or an absolute URL KSeF returned (UPO, part upload). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON body (serialised here) … */
  json?: unknown;
  /** … or raw body. */
  body?: Buffer | string;
  /** Bearer token; never logged. */
  bearer?: string;
  /** True when repeating the call is harmless; decides between transport and ambiguous failures. */
  idempotent: boolean;
  /** Statuses that mean success. */
  expect: readonly number[];
  timeoutMs?: number;
  referenceNumbers?: Record<string, string>;
  signal?: AbortSignal;
  /** Tells the classifier the bearer token had expired by our clock (401 becomes KSEF_TOKEN_EXPIRED). */
  tokenExpired?: () => boolean;
}

export interface KsefHttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/**
 * HTTP transport for KSeF: keep-alive pooling (undici Agent), a timeout on every call, and every failure turned into
 * the KSeF error taxonomy. Logs carry operation, method, path, status and duration only.
 */
export class KsefHttp {
  readonly baseUrl: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;

  constructor(private readonly options: KsefHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections ?? 10,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
        keepAliveMaxTimeout: 60_000,
        connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        headersTimeout: 0,
        bodyTimeout: 0,
      });
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Sends a request; resolves only with an expected status, otherwise throws a classified KsefError. */
  async send(req: KsefHttpRequest): Promise<KsefHttpResponse> {
    const url = this.urlFor(req);
    const facts: KsefRequestFacts = {
      operation: req.operation,
      method: req.method,
      path: this.loggablePath(url),
      referenceNumbers: { ...(req.referenceNumbers ?? {}) },
    };
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    if (req.bearer) headers['authorization'] = `Bearer ${req.bearer}`;
    let body: Buffer | string | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }

    const timeout = AbortSignal.timeout(req.timeoutMs ?? this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const started = Date.now();
    let response: KsefHttpResponse;
    try {
      const res = await request(url, { method: req.method, headers, body, signal, dispatcher: this.dispatcher });
      const buffer = Buffer.from(await res.body.arrayBuffer());
      response = { status: res.statusCode, headers: flattenHeaders(res.headers), body: buffer };
    } catch (error) {
      if (req.signal?.aborted && !timeout.aborted) {
        this.report(req, url, started, { error: 'aborted' });
        throw error;
      }
      const classified = classifyNetworkError(error, facts, req.idempotent, timeout.aborted);
      this.report(req, url, started, { error: timeout.aborted || isTimeout(classified) ? 'timeout' : 'network' });
      this.options.logger?.warn({ ksef: classified.toJSON(), durationMs: Date.now() - started }, 'KSeF call failed');
      throw classified;
    }

    const durationMs = Date.now() - started;
    if (req.expect.includes(response.status)) {
      this.report(req, url, started, { status: response.status });
      this.options.logger?.debug({ operation: req.operation, method: req.method, path: facts.path, status: response.status, durationMs }, 'KSeF call');
      return response;
    }
    const classified = classifyResponse({ status: response.status, headers: response.headers, body: decodeBody(response) }, facts, req.idempotent, {
      tokenExpired: req.tokenExpired?.(),
    });
    const retryAfterMs = (classified as { retryAfterMs?: unknown }).retryAfterMs;
    this.report(req, url, started, { status: response.status, ...(response.status === 429 && typeof retryAfterMs === 'number' ? { retryAfterMs } : {}) });
    this.options.logger?.warn({ ksef: classified.toJSON(), durationMs }, 'KSeF call refused');
    throw classified;
  }

  private report(req: KsefHttpRequest, url: string, started: number, outcome: Pick<KsefCallEvent, 'status' | 'error' | 'retryAfterMs'>): void {
    const hook = this.options.onCall;
    if (!hook) return;
    const path = /^https?:\/\//i.test(req.path) ? req.path : new URL(url).pathname.slice(new URL(this.baseUrl).pathname.length) || '/';
    try {
      hook({ operation: req.operation, method: req.method, route: ksefRouteOf(path), group: rateLimitGroupOf(req.method, path) ?? 'none', durationMs: Date.now() - started, ...outcome });
    } catch {
      // A broken metrics sink must not turn a KSeF answer into a failure.
    }
  }

  private urlFor(req: KsefHttpRequest): string {
    const base = /^https?:\/\//i.test(req.path) ? req.path : `${this.baseUrl}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
    const url = new URL(base);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Path without query string and origin: absolute URLs KSeF hands out may carry signed query parameters. */
  private loggablePath(url: string): string {
    const parsed = new URL(url);
    return parsed.origin === new URL(this.baseUrl).origin ? parsed.pathname : `${parsed.origin}${parsed.pathname}`;
  }
}

/** A network failure that was a timeout (ours, or a socket/connect timeout undici reported). */
function isTimeout(error: KsefError): boolean {
  return error.code === 'KSEF_TIMEOUT' || /TIMED?OUT/i.test(error.facts.networkCode ?? '');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** JSON when it parses as JSON, else the text; error bodies are small. */
export function decodeBody(response: KsefHttpResponse): unknown {
  const text = response.body.toString('utf8');
  if (text.length === 0) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
