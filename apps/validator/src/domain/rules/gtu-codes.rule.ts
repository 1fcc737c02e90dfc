import type { InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

/** GTU (goods and services groups, JPK_V7): GTU_01 … GTU_13. The FA(2) schema is laxer than the regulation. */
const GTU = /^GTU_(0[1-9]|1[0-3])$/;

export function gtuCodesRule(doc: InvoiceDocument): Issue[] {
  return doc
    .all('Fa', 'FaWiersz', 'GTU')
    .filter((e) => !GTU.test(e.textContent?.trim() ?? ''))
    .map((e) => issueAt(e, 'GTU_CODE_INVALID', `Nieznany kod GTU '${e.textContent?.trim()}' (dozwolone GTU_01–GTU_13)`, `Unknown GTU code '${e.textContent?.trim()}' (allowed: GTU_01–GTU_13)`));
}
