/** Parameters of a minimal, schema-valid invoice (test data for simulators and client tests). */
export interface SampleInvoiceOptions {
  form?: 'FA(2)' | 'FA(3)';
  sellerNip: string;
  buyerNip?: string;
  /** P_2, the seller's invoice number (part of the KSeF duplicate key). */
  invoiceNumber: string;
  /** P_1 issue date `YYYY-MM-DD`; default today (UTC). */
  issueDate?: string;
  /** RodzajFaktury, default `VAT`. */
  invoiceType?: 'VAT' | 'ZAL' | 'ROZ' | 'UPR';
  /** Net amount of the single line (23% VAT), default 100.00. */
  netAmount?: number;
  /** Adds a minimal `Zalacznik` (attachment) block (FA(3) only). */
  attachment?: boolean;
}

const NAMESPACE = { 'FA(2)': 'http://crd.gov.pl/wzor/2023/06/29/12648/', 'FA(3)': 'http://crd.gov.pl/wzor/2025/06/25/13775/' };

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A minimal FA(3) (default) or FA(2) invoice that validates against the official schema; UTF-8, no BOM. */
export function buildSampleInvoice(options: SampleInvoiceOptions): string {
  const form = options.form ?? 'FA(3)';
  const variant = form === 'FA(3)' ? '3' : '2';
  const issueDate = options.issueDate ?? new Date().toISOString().slice(0, 10);
  const net = options.netAmount ?? 100;
  const vat = Math.round(net * 23) / 100;
  const gross = net + vat;
  const buyerExtra = form === 'FA(3)' ? '<JST>2</JST><GV>2</GV>' : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Faktura xmlns="${NAMESPACE[form]}">` +
    `<Naglowek><KodFormularza kodSystemowy="FA (${variant})" wersjaSchemy="1-0E">FA</KodFormularza>` +
    `<WariantFormularza>${variant}</WariantFormularza><DataWytworzeniaFa>${issueDate}T08:00:00Z</DataWytworzeniaFa>` +
    `<SystemInfo>ksef-bridge</SystemInfo></Naglowek>` +
    `<Podmiot1><DaneIdentyfikacyjne><NIP>${options.sellerNip}</NIP><Nazwa>Sprzedawca Testowy</Nazwa></DaneIdentyfikacyjne>` +
    `<Adres><KodKraju>PL</KodKraju><AdresL1>ul. Testowa 1, 00-001 Warszawa</AdresL1></Adres></Podmiot1>` +
    `<Podmiot2><DaneIdentyfikacyjne><NIP>${options.buyerNip ?? '5265877635'}</NIP><Nazwa>Nabywca Testowy</Nazwa></DaneIdentyfikacyjne>` +
    `<Adres><KodKraju>PL</KodKraju><AdresL1>ul. Kupiecka 2, 00-002 Warszawa</AdresL1></Adres>${buyerExtra}</Podmiot2>` +
    `<Fa><KodWaluty>PLN</KodWaluty><P_1>${issueDate}</P_1><P_2>${escapeXml(options.invoiceNumber)}</P_2>` +
    `<P_13_1>${net.toFixed(2)}</P_13_1><P_14_1>${vat.toFixed(2)}</P_14_1><P_15>${gross.toFixed(2)}</P_15>` +
    `<Adnotacje><P_16>2</P_16><P_17>2</P_17><P_18>2</P_18><P_18A>2</P_18A><Zwolnienie><P_19N>1</P_19N></Zwolnienie>` +
    `<NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu><P_23>2</P_23><PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy></Adnotacje>` +
    `<RodzajFaktury>${options.invoiceType ?? 'VAT'}</RodzajFaktury>` +
    `<FaWiersz><NrWierszaFa>1</NrWierszaFa><P_7>Usługa testowa</P_7><P_8A>szt.</P_8A><P_8B>1</P_8B>` +
    `<P_9A>${net.toFixed(2)}</P_9A><P_11>${net.toFixed(2)}</P_11><P_12>23</P_12></FaWiersz></Fa>` +
    (options.attachment && form === 'FA(3)' ? '<Zalacznik><BlokDanych><MetaDane><ZKlucz>umowa</ZKlucz><ZWartosc>1/2026</ZWartosc></MetaDane></BlokDanych></Zalacznik>' : '') +
    `</Faktura>`
  );
}
