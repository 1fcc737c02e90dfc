import { KsefInvoiceRejectedError, type KsefRequestFacts } from '../errors/ksef-errors';
import type { SessionInvoiceStatusResponse } from '../model/ksef-api.types';

/**
 * What an invoice status means for the caller (API.md §6):
 * - `pending`: 100 accepted for processing, 150 processing — poll again.
 * - `accepted`: 200 with a KSeF number — the invoice legally exists.
 * - `duplicate`: 440 — already accepted earlier; `originalKsefNumber` is the number to use. Success, not rejection.
 * - `rejected`: 405, 410, 415, 430, 435, 450, 500 — KSeF refused it; `code` and `details` say why.
 * - `cancelled`: 550 cancelled by the system — send it again.
 */
export type InvoiceOutcome =
  | { kind: 'pending'; code: number; status: SessionInvoiceStatusResponse }
  | { kind: 'accepted'; ksefNumber: string; status: SessionInvoiceStatusResponse }
  | { kind: 'duplicate'; originalKsefNumber?: string; originalSessionReferenceNumber?: string; status: SessionInvoiceStatusResponse }
  | { kind: 'rejected'; code: number; description: string; details: string[]; status: SessionInvoiceStatusResponse }
  | { kind: 'cancelled'; code: number; status: SessionInvoiceStatusResponse };

export function invoiceOutcome(status: SessionInvoiceStatusResponse): InvoiceOutcome {
  const code = status.status.code;
  if (code === 100 || code === 150) return { kind: 'pending', code, status };
  if (code === 200 && status.ksefNumber) return { kind: 'accepted', ksefNumber: status.ksefNumber, status };
  if (code === 200) return { kind: 'pending', code, status };
  if (code === 440) {
    const ext = status.status.extensions ?? {};
    return {
      kind: 'duplicate',
      originalKsefNumber: ext['originalKsefNumber'] ?? undefined,
      originalSessionReferenceNumber: ext['originalSessionReferenceNumber'] ?? undefined,
      status,
    };
  }
  if (code === 550) return { kind: 'cancelled', code, status };
  return { kind: 'rejected', code, description: status.status.description, details: status.status.details ?? [], status };
}

/** True when the outcome is final (anything but pending). */
export function isFinalOutcome(outcome: InvoiceOutcome): boolean {
  return outcome.kind !== 'pending';
}

/**
 * The KSeF number of an accepted invoice (or of the original, for a duplicate); throws KsefInvoiceRejectedError for
 * a rejection or cancellation. For callers that want an exception; the pipeline uses `invoiceOutcome` instead.
 */
export function assertInvoiceAccepted(status: SessionInvoiceStatusResponse, facts: Omit<KsefRequestFacts, 'operation' | 'method' | 'path'> & Partial<KsefRequestFacts> = { referenceNumbers: {} }): string {
  const outcome = invoiceOutcome(status);
  if (outcome.kind === 'accepted') return outcome.ksefNumber;
  if (outcome.kind === 'duplicate' && outcome.originalKsefNumber) return outcome.originalKsefNumber;
  if (outcome.kind === 'pending') throw new RangeError(`invoice ${status.referenceNumber} is still being processed (${outcome.code})`);
  throw new KsefInvoiceRejectedError(status.status, {
    operation: facts.operation ?? 'invoiceStatus',
    method: facts.method ?? 'GET',
    path: facts.path ?? '',
    referenceNumbers: { invoiceReferenceNumber: status.referenceNumber, ...facts.referenceNumbers },
  });
}
