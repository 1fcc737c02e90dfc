import { createHash } from 'node:crypto';
import type { OfflineIssue } from '@ksef-bridge/contracts';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import { ApiError } from '../http/api-error.filter';
import { storedInvoiceFacts } from './invoice-kod-i';
import type { KodIISignRequest } from './kod-ii-signer.client';

/**
 * What the sender must sign for KOD II of a stored invoice (API.md §11): only an invoice issued offline carries KOD II,
 * and not one issued during a total failure (no QR codes then). The context is the one the validator recorded (else
 * the seller NIP, the usual context), the hash is over the exact stored bytes, the bytes the sender sends to KSeF.
 */
export function kodIIRequestForStoredInvoice(
  invoice: { id: string; tenantId: string; state: InvoiceState; contextNip: string | null; offlineMode: OfflineIssue['mode'] | null },
  xml: Buffer,
  environment: KsefEnvironment,
): KodIISignRequest {
  if (invoice.offlineMode === null) {
    throw new ApiError(409, 'KOD_II_NOT_APPLICABLE', `Invoice ${invoice.id} was not issued offline: it carries KOD I only`, { offlineMode: null });
  }
  const facts = storedInvoiceFacts(invoice, xml);
  return {
    tenantId: invoice.tenantId,
    contextNip: invoice.contextNip ?? facts.sellerNip,
    sellerNip: facts.sellerNip,
    invoiceHash: createHash('sha256').update(xml).digest('base64'),
    environment,
  };
}
