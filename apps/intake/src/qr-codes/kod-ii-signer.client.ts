import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import { ApiError } from '../http/api-error.filter';

/** The sender's answer: the signed KOD II link and what it was signed with (never the key). */
export interface SignedKodII {
  url: string;
  caption: string;
  certificateSerial: string;
  algorithm: string;
  certificateValidTo: string;
}

export interface KodIISignRequest {
  tenantId: string;
  contextNip: string;
  sellerNip: string;
  /** SHA-256 of the exact stored invoice bytes, standard Base64. */
  invoiceHash: string;
  environment: KsefEnvironment;
}

/** Where the sender is and how intake authenticates to it (INTERNAL_API_TOKEN, shared by the services). */
export interface SenderEndpoint {
  url: string;
  token?: string;
  timeoutMs: number;
}

export const KOD_II_SIGNER = Symbol('KOD_II_SIGNER');

/** Anything that signs KOD II links (the sender over HTTP in production). */
export interface KodIISigner {
  sign(request: KodIISignRequest): Promise<SignedKodII>;
}

/** The sender's refusals that describe the tenant's configuration: answered to the ERP as 409 with the same code. */
const CONFIGURATION_REFUSALS: Record<string, string> = {
  KSEF_CONTEXT_UNKNOWN: 'the sender has no KSeF context for this NIP of your tenant: register the context first',
  OFFLINE_CERTIFICATE_MISSING: 'no KSeF certificate of type Offline is registered for this context (sender register-offline-certificate)',
  OFFLINE_CERTIFICATE_EXPIRED: 'the Offline certificate registered for this context has expired: register a new one',
  OFFLINE_CERTIFICATE_NOT_YET_VALID: 'the Offline certificate registered for this context is not valid yet',
};

/**
 * `POST {SENDER_URL}/internal/v1/ksef-contexts/{nip}/kod-ii` with `Authorization: Bearer INTERNAL_API_TOKEN`: the
 * sender, the only holder of KSeF secrets, signs the link with the context's Offline certificate; intake only draws
 * it. The sender's configuration refusals pass through as 409 with their codes; an unreachable or failing sender, or
 * a refused token, is 503 KOD_II_SIGNER_UNAVAILABLE (retriable: the same request works once the sender is back).
 */
export class SenderKodIISigner implements KodIISigner {
  constructor(private readonly sender: SenderEndpoint) {}

  async sign(request: KodIISignRequest): Promise<SignedKodII> {
    const url = `${this.sender.url.replace(/\/$/, '')}/internal/v1/ksef-contexts/${encodeURIComponent(request.contextNip)}/kod-ii`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.sender.token ? { authorization: `Bearer ${this.sender.token}` } : {}) },
        body: JSON.stringify({ tenantId: request.tenantId, sellerNip: request.sellerNip, invoiceHash: request.invoiceHash, environment: request.environment }),
        signal: AbortSignal.timeout(this.sender.timeoutMs),
      });
    } catch {
      throw unavailable('the sender, which signs KOD II, did not answer');
    }
    const body = parseJson(await res.text()) as Partial<SignedKodII> & { code?: unknown; message?: unknown; details?: Record<string, unknown> } | undefined;
    if (res.status === 200) {
      if (typeof body?.url !== 'string' || !body.url.startsWith('https://') || typeof body.caption !== 'string') throw unavailable('the sender answered KOD II without a link');
      return body as SignedKodII;
    }
    const code = typeof body?.code === 'string' ? body.code : undefined;
    if (code && code in CONFIGURATION_REFUSALS && (res.status === 404 || res.status === 409)) {
      throw new ApiError(409, code, `Invoice context ${request.contextNip}: ${CONFIGURATION_REFUSALS[code]}`, { contextNip: request.contextNip, ...(body?.details ?? {}) });
    }
    throw unavailable(`the sender answered ${res.status}${code ? ` ${code}` : ''} to the KOD II request`);
  }
}

function unavailable(message: string): ApiError {
  return new ApiError(503, 'KOD_II_SIGNER_UNAVAILABLE', `KOD II cannot be signed now: ${message}; try again later`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
