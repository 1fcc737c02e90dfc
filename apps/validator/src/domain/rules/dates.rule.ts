import type { InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

/** Today's date in Poland (KSeF's calendar), `YYYY-MM-DD`. */
export function warsawDate(now: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Warsaw' }).format(now);
}

/** How far back an issue date stays plausible: KSeF keeps invoices 10 years; older ones are almost surely typos. */
const MAX_AGE_YEARS = 10;

/**
 * Dates plausible: the issue date P_1 is not in the future (KSeF refuses it: P_1 may not be after acceptance) nor
 * more than ten years old; the document creation time is not in the future; a sale date P_6 lies within a year of P_1.
 */
export function datesRule(doc: InvoiceDocument, now: Date): Issue[] {
  const issues: Issue[] = [];
  const today = warsawDate(now);
  const p1Element = doc.first('Fa', 'P_1');
  const p1 = doc.text('Fa', 'P_1');
  if (p1 && p1 > today) {
    issues.push(issueAt(p1Element, 'ISSUE_DATE_IN_FUTURE', `Data wystawienia P_1 (${p1}) jest późniejsza niż dzisiejsza (${today})`, `Issue date P_1 (${p1}) is after today (${today})`));
  }
  const oldest = `${Number(today.slice(0, 4)) - MAX_AGE_YEARS}${today.slice(4)}`;
  if (p1 && p1 < oldest) {
    issues.push(issueAt(p1Element, 'ISSUE_DATE_TOO_OLD', `Data wystawienia P_1 (${p1}) jest starsza niż ${MAX_AGE_YEARS} lat`, `Issue date P_1 (${p1}) is more than ${MAX_AGE_YEARS} years old`));
  }
  const createdElement = doc.first('Naglowek', 'DataWytworzeniaFa');
  const created = doc.text('Naglowek', 'DataWytworzeniaFa');
  // One hour of clock skew between the ERP and us is tolerated.
  if (created && Date.parse(created) > now.getTime() + 3_600_000) {
    issues.push(issueAt(createdElement, 'CREATION_TIME_IN_FUTURE', `Data wytworzenia faktury (${created}) jest w przyszłości`, `Document creation time (${created}) is in the future`));
  }
  const p6Element = doc.first('Fa', 'P_6');
  const p6 = doc.text('Fa', 'P_6');
  if (p1 && p6 && Math.abs(Date.parse(p6) - Date.parse(p1)) > 366 * 24 * 3_600_000) {
    issues.push(issueAt(p6Element, 'SALE_DATE_IMPLAUSIBLE', `Data sprzedaży P_6 (${p6}) odbiega o ponad rok od daty wystawienia (${p1})`, `Sale date P_6 (${p6}) is more than a year from the issue date (${p1})`));
  }
  return issues;
}
