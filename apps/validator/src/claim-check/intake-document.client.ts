import { createHash } from 'node:crypto';
import type { DocumentRef } from '@ksef-bridge/contracts';
import { DependencyUnavailableError, PermanentError } from '@ksef-bridge/errors';

/**
 * Reads an invoice's XML from intake by its claim check (`GET /internal/v1/invoices/{id}/document`) and verifies
 * size and SHA-256, so a document is never validated in a version other than the one the event describes.
 * Intake down, 5xx, 429, timeouts and a refused token are retriable (an operator fixes the token); a missing or
 * altered document is not.
 */
export class IntakeDocumentClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async fetch(ref: DocumentRef): Promise<Buffer> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/internal/v1/invoices/${encodeURIComponent(ref.invoiceId)}/document`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      // Intake is ours: while it restarts (or is down) the message waits, it is not dead-lettered (which would strand
      // the invoice in RECEIVED until a person replays it).
      throw new DependencyUnavailableError('CLAIM_CHECK_UNAVAILABLE', `intake did not answer the document read for ${ref.invoiceId}`, { cause });
    }
    if (res.status === 404) throw new PermanentError('CLAIM_CHECK_NOT_FOUND', `intake has no document for invoice ${ref.invoiceId}`);
    if (res.status !== 200) {
      await res.body?.cancel();
      // 5xx/429: intake is unwell; 401/403: INTERNAL_API_TOKEN differs between the services, which an operator fixes.
      // Either way the message waits for the fix instead of being dead-lettered; any other answer is a broken request.
      if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403) {
        const hint = res.status === 401 || res.status === 403 ? ' (check that INTERNAL_API_TOKEN is the same for intake and the validator)' : '';
        throw new DependencyUnavailableError('CLAIM_CHECK_UNAVAILABLE', `intake answered ${res.status} to the document read for ${ref.invoiceId}${hint}`, { details: { status: res.status } });
      }
      throw new PermanentError('CLAIM_CHECK_REFUSED', `intake answered ${res.status} to the document read for ${ref.invoiceId}`, { details: { status: res.status } });
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== ref.sizeBytes || sha256 !== ref.sha256) {
      throw new PermanentError('CLAIM_CHECK_MISMATCH', `document of invoice ${ref.invoiceId} does not match its claim check`, { details: { expected: ref.sha256, actual: sha256 } });
    }
    return bytes;
  }
}
