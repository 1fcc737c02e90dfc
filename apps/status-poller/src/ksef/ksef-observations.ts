import { toAppError } from '@ksef-bridge/errors';
import { invoiceOutcome, KsefLogicalError, KsefRateLimitError, type SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import type { Verdict } from '../domain/poll-decision';

/** KSeF's invoice status as the domain's verdict. A 440 duplicate is an acceptance under the ORIGINAL KSeF number. */
export function verdictOf(status: SessionInvoiceStatusResponse, sessionReferenceNumber: string): Verdict {
  const outcome = invoiceOutcome(status);
  const description = status.status.description;
  switch (outcome.kind) {
    case 'pending':
      return { kind: 'pending', code: outcome.code, description };
    case 'accepted':
      return { kind: 'accepted', ksefNumber: outcome.ksefNumber, acquisitionDate: status.acquisitionDate ?? status.permanentStorageDate ?? undefined, duplicate: false, upoSessionReferenceNumber: sessionReferenceNumber };
    case 'duplicate':
      if (!outcome.originalKsefNumber) return { kind: 'duplicate-unresolved', description };
      // The duplicate's own entry carries no acquisition date; the original's comes from the original's UPO.
      return { kind: 'accepted', ksefNumber: outcome.originalKsefNumber, duplicate: true, upoSessionReferenceNumber: outcome.originalSessionReferenceNumber ?? sessionReferenceNumber };
    case 'rejected':
      return { kind: 'rejected', code: outcome.code, description: outcome.description, details: outcome.details };
    case 'cancelled':
      return { kind: 'cancelled', code: outcome.code, description };
  }
}

/** A failed KSeF (or token) call as an observation: 429 keeps its Retry-After, everything else its stable code. */
export function failureOf(error: unknown): { kind: 'rate-limited'; retryAfterMs: number } | { kind: 'failed'; code: string; message: string } {
  if (error instanceof KsefRateLimitError) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
  if (error instanceof KsefLogicalError && error.exceptionCodes.length > 0) {
    // 21165 "not yet available" and 21178 "UPO not (yet) generated" resolve by themselves: name them.
    if (error.hasExceptionCode(21178)) return { kind: 'failed', code: 'KSEF_UPO_NOT_READY', message: error.message };
    if (error.hasExceptionCode(21165)) return { kind: 'failed', code: 'KSEF_NOT_YET_AVAILABLE', message: error.message };
    return { kind: 'failed', code: error.code, message: `${error.message} (${error.exceptionCodes.join(', ')})` };
  }
  const app = toAppError(error);
  return { kind: 'failed', code: app.code, message: app.message };
}
