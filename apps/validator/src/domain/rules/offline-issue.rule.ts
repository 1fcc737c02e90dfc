import type { InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

/** The offline marking of invoice.received (the contracts' OfflineIssue; only the mode matters here). */
export interface OfflineMarking {
  mode: string;
  periodEndedAt?: string;
}

/**
 * Invoices issued offline (API.md §11): "Offline invoices are FA(3) files", so an FA(2) document marked offline would
 * be refused by KSeF when it is finally sent, possibly after its legal deadline: refuse it now. (The offline24 issue
 * date not lying in the future is datesRule's ISSUE_DATE_IN_FUTURE, which applies to every invoice.)
 */
export function offlineIssueRule(doc: InvoiceDocument, form: 'FA(2)' | 'FA(3)', offline: OfflineMarking | undefined): Issue[] {
  if (!offline || form === 'FA(3)') return [];
  return [
    issueAt(
      doc.first('Naglowek', 'KodFormularza'),
      'OFFLINE_REQUIRES_FA3',
      `Faktura wystawiona w trybie offline (${offline.mode}) musi mieć postać FA(3); dokument jest w postaci ${form}`,
      `An invoice issued offline (${offline.mode}) must be an FA(3) document; this one is ${form}`,
    ),
  ];
}
