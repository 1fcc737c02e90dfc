import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSampleInvoice } from './sample-invoice';
import { createKsefXmlValidator, KsefXmlValidator, patchAuthV20Schema } from './xsd-validator';
import { officialArtifactsDir } from './official-artifacts';
import { invoicePreflight } from './invoice-preflight';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

describe('KSeF XSD validation (libxml2-wasm, official schemas)', () => {
  let validator: KsefXmlValidator;
  beforeAll(async () => {
    validator = await createKsefXmlValidator();
  });
  afterAll(() => validator.close());

  it.each(['FA(3)', 'FA(2)'] as const)('accepts a minimal %s invoice and extracts fields', (form) => {
    const xml = buildSampleInvoice({ form, sellerNip: '1111111111', invoiceNumber: 'FV/1/2026', issueDate: '2026-02-01' });
    const result = validator.validate(form, Buffer.from(xml), { seller: 't:Podmiot1/t:DaneIdentyfikacyjne/t:NIP', number: 't:Fa/t:P_2', type: 't:Fa/t:RodzajFaktury' });
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.fields).toEqual({ seller: '1111111111', number: 'FV/1/2026', type: 'VAT' });
  });

  it('accepts an FA(3) invoice with a minimal attachment block', () => {
    const xml = buildSampleInvoice({ sellerNip: '1111111111', invoiceNumber: 'Z/1', attachment: true });
    expect(validator.validate('FA(3)', xml, { block: 't:Zalacznik/t:BlokDanych' })).toMatchObject({ valid: true, fields: { block: 'umowa1/2026' } });
  });

  it('rejects an FA(3) invoice against the FA(2) schema and a schema violation with the validator message', () => {
    const fa3 = buildSampleInvoice({ sellerNip: '1111111111', invoiceNumber: 'X/1' });
    expect(validator.validate('FA(2)', fa3)).toMatchObject({ valid: false, failure: 'schema' });
    const broken = validator.validate('FA(3)', fa3.replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>QQQ</KodWaluty>'));
    expect(broken.valid).toBe(false);
    expect(broken.failure).toBe('schema');
    expect(broken.problems[0].message).toMatch(/KodWaluty/);
  });

  it('reports malformed XML as a parse failure and never expands external entities', () => {
    expect(validator.validate('FA(3)', '<Faktura><unclosed></Faktura>')).toMatchObject({ valid: false, failure: 'parse' });
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">&e;</Faktura>';
    const result = validator.validate('FA(3)', xxe, { text: '/t:Faktura' });
    expect(result.valid).toBe(false);
    expect(result.fields.text ?? '').not.toMatch(/root:/);
  });

  it('validates the official UPO examples except the one TE deviation (NazwaPodmiotuPrzyjmujacego)', () => {
    const examples = files(join(officialArtifactsDir(), 'faktury/upo/przyklady'));
    expect(examples.length).toBe(6);
    for (const file of examples) {
      const text = readFileSync(file, 'utf8');
      const raw = validator.validate('UPO-v4-3', text);
      if (!raw.valid) expect(raw.problems.map((p) => p.message).join()).toMatch(/NazwaPodmiotuPrzyjmujacego/);
      const fixed = text.replace(/<NazwaPodmiotuPrzyjmujacego>[^<]*</, '<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów<');
      expect({ file, problems: validator.validate('UPO-v4-3', fixed).problems }).toEqual({ file, problems: [] });
    }
  });

  it('compiles both auth schemas; the 2.0 IP-mask facets are patched to XSD regex syntax', () => {
    const patched = patchAuthV20Schema('<xsd:pattern value="^((25[0-5]|(2[0-4]|1\\d|[1-9]|)\\d)\\.?\\b){4}$"/>');
    expect(patched).not.toMatch(/\\b|\^|\$/);
    const request = (ns: string) =>
      `<AuthTokenRequest xmlns="${ns}"><Challenge>20250514-CR-2DFC46C000-3AC6D5877F-D4</Challenge>` +
      `<ContextIdentifier><Nip>5265877635</Nip></ContextIdentifier><SubjectIdentifierType>certificateSubject</SubjectIdentifierType></AuthTokenRequest>`;
    expect(validator.validate('AUTH-2.0', request('http://ksef.mf.gov.pl/auth/token/2.0')).problems).toEqual([]);
    expect(validator.validate('AUTH-2.1', request('http://ksef.mf.gov.pl/auth/token/2.1')).problems).toEqual([]);
  });
});

describe('invoice preflight', () => {
  const ok = Buffer.from(buildSampleInvoice({ sellerNip: '1111111111', invoiceNumber: 'A' }));
  it('passes a plain UTF-8 invoice', () => expect(invoicePreflight(ok)).toBeUndefined());
  it('refuses a BOM, another encoding, processing instructions, invalid UTF-8 and discouraged code points', () => {
    expect(invoicePreflight(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ok]))).toMatch(/BOM/);
    expect(invoicePreflight(Buffer.from('<?xml version="1.0" encoding="ISO-8859-2"?><a/>'))).toMatch(/ISO-8859-2/);
    expect(invoicePreflight(Buffer.from('<?xml version="1.0"?><?pi x?><a/>'))).toMatch(/instrukcje/);
    expect(invoicePreflight(Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e]))).toMatch(/UTF-8/);
    expect(invoicePreflight(Buffer.from('<a>\u0085x\u0080</a>'))).toMatch(/Unicode/);
  });
});
