import { checkKsefNumber } from '@ksef-bridge/ksef-spec';
import { textOf, type InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

const CORRECTION_KINDS = new Set(['KOR', 'KOR_ZAL', 'KOR_ROZ']);

/**
 * A correction invoice references the corrected one: DaneFaKorygowanej with its issue date (not after the
 * correction's), its number, and either its KSeF number (valid, with the seller's NIP) or NrKSeFN=1 when the corrected
 * invoice was issued outside KSeF. An ordinary invoice carries no such reference.
 */
export function correctionReferenceRule(doc: InvoiceDocument): Issue[] {
  const kind = doc.text('Fa', 'RodzajFaktury') ?? '';
  const references = doc.all('Fa', 'DaneFaKorygowanej');
  const kindElement = doc.first('Fa', 'RodzajFaktury');
  if (!CORRECTION_KINDS.has(kind)) {
    return references.length
      ? [issueAt(references[0], 'CORRECTION_REFERENCE_UNEXPECTED', `Faktura rodzaju ${kind} nie może wskazywać faktury korygowanej`, `An invoice of kind ${kind} cannot reference a corrected invoice`)]
      : [];
  }
  if (references.length === 0) {
    return [issueAt(kindElement, 'CORRECTION_REFERENCE_MISSING', 'Faktura korygująca musi wskazywać fakturę korygowaną (DaneFaKorygowanej)', 'A correction invoice must reference the corrected invoice (DaneFaKorygowanej)')];
  }
  const issues: Issue[] = [];
  const p1 = doc.text('Fa', 'P_1');
  for (const ref of references) {
    const date = textOf(ref, 'DataWystFaKorygowanej');
    if (!date || !textOf(ref, 'NrFaKorygowanej')) {
      issues.push(issueAt(ref, 'CORRECTION_REFERENCE_INCOMPLETE', 'Brak daty lub numeru faktury korygowanej', 'The corrected invoice date or number is missing'));
    }
    if (date && p1 && date > p1) {
      issues.push(issueAt(ref, 'CORRECTION_DATE_AFTER_ISSUE', `Faktura korygowana (${date}) nie może być wystawiona po korekcie (${p1})`, `The corrected invoice (${date}) cannot be issued after the correction (${p1})`));
    }
    const ksefNumber = textOf(ref, 'NrKSeFFaKorygowanej');
    const outsideKsef = textOf(ref, 'NrKSeFN') === '1';
    if (!ksefNumber && !outsideKsef) {
      issues.push(issueAt(ref, 'CORRECTION_KSEF_NUMBER_MISSING', 'Brak numeru KSeF faktury korygowanej (lub NrKSeFN=1)', 'The corrected invoice KSeF number (or NrKSeFN=1) is missing'));
    } else if (ksefNumber && !checkKsefNumber(ksefNumber).valid) {
      const at = ref.getElementsByTagNameNS(ref.namespaceURI ?? '', 'NrKSeFFaKorygowanej')[0];
      issues.push(issueAt(at ?? ref, 'CORRECTION_KSEF_NUMBER_INVALID', `Numer KSeF faktury korygowanej ${ksefNumber} jest nieprawidłowy`, `The corrected invoice KSeF number ${ksefNumber} is invalid`));
    }
  }
  return issues;
}
