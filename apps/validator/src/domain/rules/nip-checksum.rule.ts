import { isValidNip } from '@ksef-bridge/ksef-spec';
import type { InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

/** Every NIP on the invoice (seller, buyer, third parties, authorised entity) must carry a valid mod-11 checksum. */
export function nipChecksumRule(doc: InvoiceDocument): Issue[] {
  const nips = [
    ...doc.all('Podmiot1', 'DaneIdentyfikacyjne', 'NIP'),
    ...doc.all('Podmiot2', 'DaneIdentyfikacyjne', 'NIP'),
    ...doc.all('Podmiot3', 'DaneIdentyfikacyjne', 'NIP'),
    ...doc.all('PodmiotUpowazniony', 'DaneIdentyfikacyjne', 'NIP'),
  ];
  return nips
    .filter((e) => !isValidNip(e.textContent?.trim() ?? ''))
    .map((e) => issueAt(e, 'NIP_CHECKSUM', `NIP ${e.textContent?.trim()} ma błędną sumę kontrolną`, `NIP ${e.textContent?.trim()} has an invalid checksum`));
}
