import { PermanentError, TransientError } from '@ksef-bridge/errors';
import type { ProvidedAccessToken } from '@ksef-bridge/ksef-client';

/**
 * Short-lived KSeF access tokens from the sender, the only holder of KSeF credentials:
 * `POST {SENDER_URL}/internal/v1/ksef-contexts/{nip}/access-token` with `Authorization: Bearer INTERNAL_API_TOKEN`.
 * The poller never sees a KSeF token, only access tokens that expire on their own.
 *
 * Failures keep their own codes (they reach `last_error_code` and the escalation message): the sender down, 5xx,
 * 503 KSEF_AUTH_UNAVAILABLE and 404 KSEF_CONTEXT_UNKNOWN are transient; a refused bearer (401/403) is not, though the
 * poller still polls again until its deadline (an operator can fix the token meanwhile).
 */
export class SenderTokenClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async accessToken(nip: string, signal?: AbortSignal): Promise<ProvidedAccessToken> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/internal/v1/ksef-contexts/${encodeURIComponent(nip)}/access-token`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (cause) {
      throw new TransientError('SENDER_UNREACHABLE', `the sender did not answer the access-token request for context ${nip}`, { cause });
    }
    const text = await res.text();
    const body = parseJson(text);
    if (res.status === 200) {
      const token = body as Partial<ProvidedAccessToken> | undefined;
      if (typeof token?.accessToken !== 'string' || typeof token.validUntil !== 'string' || Number.isNaN(Date.parse(token.validUntil))) {
        throw new TransientError('SENDER_TOKEN_MALFORMED', `the sender's access-token answer for context ${nip} lacks accessToken/validUntil`);
      }
      return { accessToken: token.accessToken, validUntil: token.validUntil };
    }
    const code = typeof (body as { code?: unknown })?.code === 'string' ? (body as { code: string }).code : undefined;
    // Retriable, as the sender says: the context may be registered (or enabled again) later.
    if (res.status === 404) throw new TransientError('KSEF_CONTEXT_UNKNOWN', `the sender has no enabled KSeF context ${nip}`);
    if (res.status === 401 || res.status === 403) throw new PermanentError('SENDER_AUTH_REFUSED', `the sender refused INTERNAL_API_TOKEN (${res.status})`);
    if (res.status === 503 && code === 'KSEF_AUTH_UNAVAILABLE') throw new TransientError('KSEF_AUTH_UNAVAILABLE', `the sender could not authenticate context ${nip} with KSeF`);
    throw new TransientError('SENDER_TOKEN_UNAVAILABLE', `the sender answered ${res.status} to the access-token request for context ${nip}`, { details: { status: res.status, code } });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
