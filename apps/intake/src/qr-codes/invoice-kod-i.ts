import type { OfflineIssue } from '@ksef-bridge/contracts';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import { invoiceQrFacts, kodICode, type InvoiceQrFacts, type VerificationCode } from '@ksef-bridge/qr-codes';
import { ApiError } from '../http/api-error.filter';

/** Invoices that will never be in KSeF: a verification code on them would send a reader to a link that never works. */
const NO_CODE_STATES: ReadonlySet<InvoiceState> = new Set<InvoiceState>(['INVALID', 'REJECTED', 'CANCELLED']);

/**
 * The facts both codes are built from, after the refusals both share: no code for an invoice that will never be in
 * KSeF, none for one issued during a total failure (API.md §11: no obligation to send, no QR codes), and none when the
 * stored XML lacks the seller NIP or P_1 (intake takes in any well-formed XML; the validator judges the schema later).
 */
export function storedInvoiceFacts(invoice: { id: string; state: InvoiceState; offlineMode?: OfflineIssue['mode'] | null }, xml: Buffer): InvoiceQrFacts {
  if (NO_CODE_STATES.has(invoice.state)) {
    throw new ApiError(409, 'QR_CODE_NOT_AVAILABLE', `Invoice ${invoice.id} is ${invoice.state} and will not be in KSeF: it has no verification code`, { state: invoice.state });
  }
  if (invoice.offlineMode === 'total-failure') {
    throw new ApiError(409, 'QR_CODE_NOT_AVAILABLE', `Invoice ${invoice.id} was issued during a KSeF total failure: such invoices carry no QR codes`, { offlineMode: invoice.offlineMode });
  }
  try {
    return invoiceQrFacts(xml);
  } catch (error) {
    throw new ApiError(422, 'QR_CODE_FACTS_MISSING', `Invoice ${invoice.id}: ${(error as Error).message}`);
  }
}

/**
 * KOD I of a stored invoice: seller NIP and P_1 read from the stored XML, SHA-256 over its exact bytes (the bytes the
 * sender sends, so the hash is KSeF's), caption the KSeF number once recorded, else `OFFLINE`.
 */
export function kodIForStoredInvoice(
  invoice: { id: string; state: InvoiceState; ksefNumber: string | null; offlineMode?: OfflineIssue['mode'] | null },
  xml: Buffer,
  environment: KsefEnvironment,
): VerificationCode {
  const facts = storedInvoiceFacts(invoice, xml);
  return kodICode({ environment, sellerNip: facts.sellerNip, issueDate: facts.issueDate, invoice: xml, ksefNumber: invoice.ksefNumber ?? undefined });
}
