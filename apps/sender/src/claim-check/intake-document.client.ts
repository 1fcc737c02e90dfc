import { createHash } from 'node:crypto';
import { PermanentError, TransientError } from '@ksef-bridge/errors';

/**
 * Reads an invoice's XML from intake by its claim check (`GET /internal/v1/invoices/{id}/document`, bearer
 * INTERNAL_API_TOKEN) and verifies size and SHA-256, so the sender sends exactly the bytes the validator passed.
 * Intake down, 5xx and a refused token are retriable (an operator fixes the token); a missing or altered document is not.
 */
export class IntakeDocumentClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async fetch(ref: { invoiceId: string; sha256: string; sizeBytes: number }): Promise<Buffer> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/internal/v1/invoices/${encodeURIComponent(ref.invoiceId)}/document`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      throw new TransientError('CLAIM_CHECK_UNAVAILABLE', `intake did not answer the document read for ${ref.invoiceId}`, { cause });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new PermanentError('CLAIM_CHECK_NOT_FOUND', `intake has no document for invoice ${ref.invoiceId}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new TransientError('CLAIM_CHECK_UNAVAILABLE', `intake answered ${res.status} to the document read for ${ref.invoiceId}`, { details: { status: res.status } });
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== ref.sizeBytes || sha256 !== ref.sha256) {
      throw new PermanentError('CLAIM_CHECK_MISMATCH', `document of invoice ${ref.invoiceId} does not match its claim check`, { details: { expected: ref.sha256, actual: sha256 } });
    }
    return bytes;
  }
}
