import { buildSampleInvoice, createKsefXmlValidator, generateKsefNumber, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { InvoiceDocument } from './invoice-document';
import { gtuCodesRule } from './rules/gtu-codes.rule';
import { validateInvoice, type InvoiceVerdict } from './validate-invoice';

const NOW = new Date('2026-03-10T12:00:00Z');
const SELLER = '5261040828';

describe('validateInvoice', () => {
  let xml: KsefXmlValidator;
  beforeAll(async () => {
    xml = await createKsefXmlValidator();
  });
  afterAll(() => xml.close());

  const sample = (overrides: Partial<Parameters<typeof buildSampleInvoice>[0]> = {}) => buildSampleInvoice({ sellerNip: SELLER, invoiceNumber: 'FV/1/2026', issueDate: '2026-03-09', ...overrides });
  const run = (text: string | Buffer): InvoiceVerdict => validateInvoice(xml, Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), NOW);
  const issuesOf = (verdict: InvoiceVerdict) => (verdict.valid ? [] : verdict.issues);

  it.each(['FA(2)', 'FA(3)'] as const)('accepts a correct %s invoice and names its KSeF context', (form) => {
    expect(run(sample({ form }))).toEqual({ valid: true, form, contextNip: SELLER, invoiceNumber: 'FV/1/2026', invoiceType: 'VAT', issueDate: '2026-03-09' });
  });

  it('refuses bad bytes before parsing: BOM, DOCTYPE, size', () => {
    expect(run(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample())]))).toMatchObject({ valid: false, stage: 'document', issues: [{ code: 'DOCUMENT_ENCODING' }] });
    expect(run(sample().replace('<Faktura', '<!DOCTYPE Faktura [<!ENTITY x "y">]><Faktura'))).toMatchObject({ stage: 'document', issues: [{ code: 'DOCTYPE_NOT_ALLOWED' }] });
    const big = sample().replace('<SystemInfo>ksef-bridge</SystemInfo>', `<SystemInfo>ksef-bridge</SystemInfo><!--${'x'.repeat(1_000_000)}-->`);
    expect(run(big)).toMatchObject({ stage: 'document', issues: [{ code: 'DOCUMENT_TOO_LARGE' }] });
  });

  // libxml2 reports what its validator collected; for these documents that is the first violation.
  it('reports XSD violations with their line and element', () => {
    const text = sample({ buyerNip: '123' }).replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>XXX</KodWaluty>').replace(/></g, '>\n<');
    const verdict = run(text);
    expect(verdict).toMatchObject({ valid: false, stage: 'schema' });
    const issues = issuesOf(verdict);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of issues) {
      expect(issue.code).toBe('XSD_VIOLATION');
      expect(issue.line).toBeGreaterThan(1);
      expect(issue.messagePl).toMatch(/^Niezgodność ze schematem FA\(3\)/);
    }
    expect(issues[0].xpath).toBe('//NIP');
  });

  it('refuses a document that is no FA invoice', () => {
    expect(run('<Faktura xmlns="urn:other"/>')).toMatchObject({ stage: 'schema', issues: [{ code: 'UNKNOWN_FORM' }] });
  });

  it('checks every NIP checksum and points at the element', () => {
    const verdict = run(sample({ buyerNip: '5265877636' }).replace(/></g, '>\n<'));
    expect(verdict).toMatchObject({ valid: false, stage: 'rules' });
    expect(issuesOf(verdict)).toEqual([
      expect.objectContaining({ code: 'NIP_CHECKSUM', xpath: '/Faktura/Podmiot2/DaneIdentyfikacyjne/NIP', messagePl: expect.stringContaining('5265877636'), messageEn: expect.stringContaining('checksum') }),
    ]);
    expect(issuesOf(verdict)[0].line).toBeGreaterThan(1);
  });

  it('checks the amount due against the net and VAT amounts', () => {
    const verdict = run(sample().replace('<P_15>123.00</P_15>', '<P_15>124.00</P_15>'));
    expect(issuesOf(verdict)).toEqual([expect.objectContaining({ code: 'TOTAL_DUE_MISMATCH', xpath: '/Faktura/Fa/P_15' })]);
  });

  it('checks line values against quantity × price and the per-rate totals', () => {
    const verdict = run(sample().replace('<P_11>100.00</P_11>', '<P_11>90.00</P_11>'));
    expect(issuesOf(verdict).map((i) => [i.code, i.xpath])).toEqual([
      ['LINE_NET_MISMATCH', '/Faktura/Fa/FaWiersz/P_11'],
      ['NET_TOTAL_MISMATCH', '/Faktura/Fa/P_13_1'],
    ]);
  });

  it('checks the VAT amount against the rate', () => {
    const verdict = run(sample().replace('<P_14_1>23.00</P_14_1>', '<P_14_1>25.00</P_14_1>').replace('<P_15>123.00</P_15>', '<P_15>125.00</P_15>'));
    expect(issuesOf(verdict)).toEqual([expect.objectContaining({ code: 'VAT_AMOUNT_MISMATCH', xpath: '/Faktura/Fa/P_14_1', messageEn: expect.stringContaining('expected 23.00') })]);
  });

  it('refuses implausible dates', () => {
    const verdict = run(sample({ issueDate: '2026-03-11' }));
    expect(issuesOf(verdict).map((i) => i.code)).toEqual(['ISSUE_DATE_IN_FUTURE', 'CREATION_TIME_IN_FUTURE']);
    const old = sample({ issueDate: '2015-03-09' }).replace('2015-03-09T08:00:00Z', '2026-03-09T08:00:00Z');
    expect(issuesOf(run(old))).toEqual([expect.objectContaining({ code: 'ISSUE_DATE_TOO_OLD', xpath: '/Faktura/Fa/P_1' })]);
  });

  describe('offline invoices', () => {
    const offline = (text: string, mode = 'offline24') => validateInvoice(xml, Buffer.from(text, 'utf8'), NOW, { mode });

    it('accepts an FA(3) invoice issued offline', () => {
      for (const mode of ['offline24', 'unavailability', 'failure', 'total-failure']) expect(offline(sample({ form: 'FA(3)' }), mode)).toMatchObject({ valid: true, form: 'FA(3)' });
    });

    it('refuses an FA(2) invoice marked offline (KSeF takes offline invoices as FA(3) only), but not an online one', () => {
      const verdict = offline(sample({ form: 'FA(2)' }), 'failure');
      expect(verdict).toMatchObject({ valid: false, stage: 'rules' });
      expect(issuesOf(verdict)).toEqual([
        expect.objectContaining({ code: 'OFFLINE_REQUIRES_FA3', xpath: '/Faktura/Naglowek/KodFormularza', messagePl: expect.stringContaining('FA(3)'), messageEn: expect.stringContaining('(failure) must be an FA(3)') }),
      ]);
      expect(run(sample({ form: 'FA(2)' }))).toMatchObject({ valid: true });
    });

    it('refuses an offline24 invoice whose issue date P_1 is after today in Warsaw', () => {
      // 23:30 UTC on 2026-03-10 is already 2026-03-11 in Warsaw: P_1 = 2026-03-11 is today there, P_1 = 2026-03-12 is not.
      const lateEvening = new Date('2026-03-10T23:30:00Z');
      const at = (issueDate: string) => validateInvoice(xml, Buffer.from(sample({ issueDate }).replace(`${issueDate}T08:00:00Z`, '2026-03-10T08:00:00Z'), 'utf8'), lateEvening, { mode: 'offline24' });
      expect(at('2026-03-11')).toMatchObject({ valid: true });
      const verdict = at('2026-03-12');
      expect(issuesOf(verdict)).toEqual([expect.objectContaining({ code: 'ISSUE_DATE_IN_FUTURE', xpath: '/Faktura/Fa/P_1', messageEn: 'Issue date P_1 (2026-03-12) is after today (2026-03-11)' })]);
    });
  });

  describe('correction invoices', () => {
    const correction = (reference: string) =>
      sample().replace('<RodzajFaktury>VAT</RodzajFaktury>', `<RodzajFaktury>KOR</RodzajFaktury>${reference ? `<PrzyczynaKorekty>Błędna cena</PrzyczynaKorekty>${reference}` : ''}`);
    const ref = (inner: string, date = '2026-02-01') => `<DaneFaKorygowanej><DataWystFaKorygowanej>${date}</DataWystFaKorygowanej><NrFaKorygowanej>FV/9/2026</NrFaKorygowanej>${inner}</DaneFaKorygowanej>`;

    it('must reference the corrected invoice', () => {
      expect(issuesOf(run(correction(''))).map((i) => i.code)).toEqual(['CORRECTION_REFERENCE_MISSING']);
    });

    it('accepts a reference by a valid KSeF number or to an invoice outside KSeF', () => {
      expect(run(correction(ref(`<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>${generateKsefNumber(SELLER, '20260201')}</NrKSeFFaKorygowanej>`)))).toMatchObject({ valid: true, invoiceType: 'KOR' });
      expect(run(correction(ref('<NrKSeFN>1</NrKSeFN>')))).toMatchObject({ valid: true });
    });

    it('refuses a KSeF number with a wrong checksum and a corrected invoice dated after the correction', () => {
      const good = generateKsefNumber(SELLER, '20260201');
      const bad = good.slice(0, -2) + (good.endsWith('00') ? '11' : '00');
      const verdict = run(correction(ref(`<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>${bad}</NrKSeFFaKorygowanej>`, '2026-03-09')));
      expect(issuesOf(verdict).map((i) => i.code)).toEqual(['CORRECTION_KSEF_NUMBER_INVALID']);
      const late = run(correction(ref('<NrKSeFN>1</NrKSeFN>', '2026-03-10')));
      expect(issuesOf(late)).toEqual([expect.objectContaining({ code: 'CORRECTION_DATE_AFTER_ISSUE', xpath: '/Faktura/Fa/DaneFaKorygowanej' })]);
    });

    it('refuses a reference on an ordinary invoice', () => {
      const text = sample().replace('<RodzajFaktury>VAT</RodzajFaktury>', `<RodzajFaktury>VAT</RodzajFaktury>${ref('<NrKSeFN>1</NrKSeFN>')}`);
      expect(issuesOf(run(text)).map((i) => i.code)).toEqual(['CORRECTION_REFERENCE_UNEXPECTED']);
    });
  });
});

describe('gtuCodesRule', () => {
  it('accepts GTU_01..GTU_13 and names anything else', () => {
    const doc = InvoiceDocument.parse('<Faktura><Fa><FaWiersz><GTU>GTU_13</GTU></FaWiersz><FaWiersz><GTU>GTU_14</GTU></FaWiersz></Fa></Faktura>');
    expect(gtuCodesRule(doc)).toEqual([expect.objectContaining({ code: 'GTU_CODE_INVALID', xpath: '/Faktura/Fa/FaWiersz[2]/GTU' })]);
  });
});
