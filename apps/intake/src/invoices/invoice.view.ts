import { INVOICE_STATE_LABELS_PL } from '@ksef-bridge/invoice-domain';
import type { HistoryRow, InvoiceRow } from './invoice.repository';

/** The API representation of an invoice (never its XML). */
export function invoiceView(invoice: InvoiceRow, history?: HistoryRow[]) {
  return {
    id: invoice.id,
    erpDocumentId: invoice.erpDocumentId,
    state: invoice.state,
    stateLabelPl: INVOICE_STATE_LABELS_PL[invoice.state],
    contentSha256: invoice.contentSha256,
    sizeBytes: invoice.sizeBytes,
    contextNip: invoice.contextNip ?? undefined,
    invoiceNumber: invoice.invoiceNumber ?? undefined,
    ksefNumber: invoice.ksefNumber ?? undefined,
    // Only said when true: the number is the original invoice's (KSeF answered the send with 440, duplicate).
    ksefDuplicate: invoice.ksefDuplicate || undefined,
    acquisitionDate: invoice.acquisitionDate?.toISOString(),
    upoAvailable: invoice.upoAvailable,
    traceId: invoice.traceId ?? undefined,
    metadata: invoice.metadata,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
    history: history?.map((h) => ({
      at: h.at.toISOString(),
      from: h.fromState ?? undefined,
      to: h.toState,
      toLabelPl: INVOICE_STATE_LABELS_PL[h.toState],
      actor: h.actor,
      ksefReferenceNumber: h.ksefReferenceNumber,
      ksefNumber: h.ksefNumber,
      httpStatus: h.httpStatus,
      errorCode: h.errorCode,
      details: h.details,
    })),
  };
}
