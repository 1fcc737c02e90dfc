/** One accepted invoice as the UPO lists it. */
export interface UpoDocument {
  sellerNip: string;
  ksefNumber: string;
  invoiceNumber: string;
  issueDate: string;
  submittedAt: Date;
  ksefNumberAssignedAt: Date;
  invoiceHash: string;
  invoicingMode: 'Online' | 'Offline';
}

export interface UpoInput {
  sessionReference: string;
  context: { type: string; value: string };
  /** KSeF-token reference of the authentication, or the SHA-256 of the signed auth document (XAdES). */
  tokenReference?: string;
  authDocumentHash?: string;
  formSystemCode: string;
  documents: UpoDocument[];
  /** Present on session UPO pages (OpisPotwierdzenia); absent on a per-invoice UPO. */
  page?: { number: number; pages: number; from: number; to: number; total: number };
}

const CONTEXT_ELEMENT: Record<string, string> = { Nip: 'Nip', InternalId: 'IdWewnetrzny', NipVatUe: 'IdZlozonyVatUE', PeppolId: 'IdDostawcyUslugPeppol' };

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Warsaw-offset timestamp like the official examples (`2025-09-16T11:05:40.841+02:00`); the offset is fixed at +00:00 here. */
function ts(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/**
 * UPO v4-3 XML. Valid against upo-v4-3.xsd (which has no place for a signature, so the simulator does not sign);
 * `NazwaPodmiotuPrzyjmujacego` uses the schema's fixed value, not TE's deviating text.
 */
export function buildUpo(input: UpoInput): string {
  const form = input.formSystemCode === 'FA (2)' ? 'Schemat_FA(2)_v1-0E.xsd' : 'Schemat_FA(3)_v1-0E.xsd';
  const ctx = CONTEXT_ELEMENT[input.context.type] ?? 'Nip';
  const auth = input.tokenReference
    ? `<NumerReferencyjnyTokenaKSeF>${esc(input.tokenReference)}</NumerReferencyjnyTokenaKSeF>`
    : `<SkrotDokumentuUwierzytelniajacego>${esc(input.authDocumentHash ?? '')}</SkrotDokumentuUwierzytelniajacego>`;
  const page = input.page
    ? `<OpisPotwierdzenia><Strona>${input.page.number}</Strona><LiczbaStron>${input.page.pages}</LiczbaStron>` +
      `<ZakresDokumentowOd>${input.page.from}</ZakresDokumentowOd><ZakresDokumentowDo>${input.page.to}</ZakresDokumentowDo>` +
      `<CalkowitaLiczbaDokumentow>${input.page.total}</CalkowitaLiczbaDokumentow></OpisPotwierdzenia>`
    : '';
  const docs = input.documents
    .map(
      (d) =>
        `<Dokument><NipSprzedawcy>${esc(d.sellerNip)}</NipSprzedawcy><NumerKSeFDokumentu>${d.ksefNumber}</NumerKSeFDokumentu>` +
        `<NumerFaktury>${esc(d.invoiceNumber)}</NumerFaktury><DataWystawieniaFaktury>${d.issueDate}</DataWystawieniaFaktury>` +
        `<DataPrzeslaniaDokumentu>${ts(d.submittedAt)}</DataPrzeslaniaDokumentu><DataNadaniaNumeruKSeF>${ts(d.ksefNumberAssignedAt)}</DataNadaniaNumeruKSeF>` +
        `<SkrotDokumentu>${d.invoiceHash}</SkrotDokumentu><TrybWysylki>${d.invoicingMode}</TrybWysylki></Dokument>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">` +
    `<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>` +
    `<NumerReferencyjnySesji>${input.sessionReference}</NumerReferencyjnySesji>` +
    `<Uwierzytelnienie><IdKontekstu><${ctx}>${esc(input.context.value)}</${ctx}></IdKontekstu>${auth}</Uwierzytelnienie>` +
    `${page}<NazwaStrukturyLogicznej>${form}</NazwaStrukturyLogicznej><KodFormularza>${esc(input.formSystemCode)}</KodFormularza>${docs}</Potwierdzenie>`
  );
}
