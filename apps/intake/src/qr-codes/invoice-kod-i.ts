import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import { invoiceQrFacts, kodICode, type VerificationCode } from '@ksef-bridge/qr-codes';
import { ApiError } from '../http/api-error.filter';

/** Invoices that will never be in KSeF: a verification code on them would send a reader to a link that never works. */
const NO_CODE_STATES: ReadonlySet<InvoiceState> = new Set<InvoiceState>(['INVALID', 'REJECTED', 'CANCELLED']);

/**
 * KOD I of a stored invoice: seller NIP and P_1 read from the stored XML, SHA-256 over its exact bytes (the bytes the
 * sender sends, so the hash is KSeF's), caption the KSeF number once recorded, else `OFFLINE`.
 */
export function kodIForStoredInvoice(
  invoice: { id: string; state: InvoiceState; ksefNumber: string | null },
  xml: Buffer,
  environment: KsefEnvironment,
): VerificationCode {
  if (NO_CODE_STATES.has(invoice.state)) {
    throw new ApiError(409, 'QR_CODE_NOT_AVAILABLE', `Invoice ${invoice.id} is ${invoice.state} and will not be in KSeF: it has no verification code`, { state: invoice.state });
  }
  let facts;
  try {
    facts = invoiceQrFacts(xml);
  } catch (error) {
    throw new ApiError(422, 'QR_CODE_FACTS_MISSING', `Invoice ${invoice.id}: ${(error as Error).message}`);
  }
  return kodICode({ environment, sellerNip: facts.sellerNip, issueDate: facts.issueDate, invoice: xml, ksefNumber: invoice.ksefNumber ?? undefined });
}
