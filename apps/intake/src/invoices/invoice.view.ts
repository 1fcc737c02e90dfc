import type { OfflineIssue } from '@ksef-bridge/contracts';
import { INVOICE_STATE_LABELS_PL } from '@ksef-bridge/invoice-domain';
import type { HistoryRow, InvoiceRow } from './invoice.repository';

/** The API representation of an invoice (never its XML). */
export function invoiceView(invoice: InvoiceRow, history?: HistoryRow[], technicalCorrections?: Array<{ id: string; erpDocumentId: string; state: string }>) {
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
    // Issued offline (API.md §11): sent later with offlineMode by its legal deadline. Absent for an online invoice.
    offline: offlineMarkingOf(invoice),
    /** This invoice is a technical correction of that rejected offline invoice (our id). */
    technicalCorrectionOf: invoice.technicalCorrectionOf ?? undefined,
    /** The technical corrections submitted for this invoice (detail reads only; absent when none). */
    technicalCorrections: technicalCorrections?.length ? technicalCorrections : undefined,
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

/** The stored offline marking in the contracts' shape (`periodEndedAt` as an ISO instant), or undefined. */
export function offlineMarkingOf(invoice: Pick<InvoiceRow, 'offlineMode' | 'offlinePeriodEndedAt'>): OfflineIssue | undefined {
  if (!invoice.offlineMode) return undefined;
  return invoice.offlinePeriodEndedAt ? { mode: invoice.offlineMode, periodEndedAt: invoice.offlinePeriodEndedAt.toISOString() } : { mode: invoice.offlineMode };
}
