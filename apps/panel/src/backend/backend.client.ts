/** An answer of intake or the sender the panel passes on (status and stable code), or 502 when they cannot be reached. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

/**
 * Calls one service's `/internal/v1/panel` API with the internal bearer token. Error bodies of both services are
 * understood (intake: `{ error: { code, message } }`, sender: `{ code, message }`).
 */
export class BackendClient {
  constructor(
    private readonly name: string,
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, query);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, {}, body);
  }

  private async call<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    const url = new URL(`/internal/v1/panel${path}`, this.baseUrl);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new BackendError(502, 'BACKEND_UNAVAILABLE', `${this.name} did not answer: ${(error as Error).message}`);
    }
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A proxy's HTML error page or a truncated body: a gateway failure, never a 500 with the parser's message.
      throw new BackendError(502, 'BACKEND_INVALID_ANSWER', `${this.name} answered ${res.status} with a body that is not JSON`);
    }
    if (res.ok) return json as T;
    const err = (json['error'] ?? json) as { code?: string; message?: string };
    // 4xx are the service's verdicts (not found, not allowed, invalid): passed on. Anything else is a gateway failure
    // whose text (an internal error, perhaps with SQL or a stack) is not the browser's business.
    if (res.status >= 400 && res.status < 500 && res.status !== 401) throw new BackendError(res.status, err.code ?? `${this.name.toUpperCase()}_${res.status}`, err.message ?? `${this.name} answered ${res.status}`);
    throw new BackendError(502, 'BACKEND_FAILED', `${this.name} answered ${res.status}`);
  }
}
