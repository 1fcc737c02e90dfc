import { createHash } from 'node:crypto';
import { buildSampleInvoice, generateKsefNumber } from '@ksef-bridge/ksef-spec';
import { decodePng, readPngCaption } from '../test/qr-decoding';
import { invoiceQrFacts } from './invoice-qr-facts';
import { kodICode, KOD_I_OFFLINE_CAPTION } from './kod-i';
import { renderQrPng } from './render/qr-png';

// The digest's example (API.md §11), identical to the official docs' apart from the QR host.
const GOLDEN_HASH_B64URL = 'UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE';
const GOLDEN_URL = `https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/${GOLDEN_HASH_B64URL}`;

describe('KOD I', () => {
  it('builds the golden link of the digest and a PNG that decodes to it', () => {
    const code = kodICode({ environment: 'test', sellerNip: '1111111111', issueDate: '2026-02-01', invoiceHash: Buffer.from(GOLDEN_HASH_B64URL, 'base64url').toString('base64') });
    expect(code).toEqual({ url: GOLDEN_URL, caption: KOD_I_OFFLINE_CAPTION });
    const png = renderQrPng(code.url, { caption: code.caption });
    expect(decodePng(png)).toBe(GOLDEN_URL);
    expect(readPngCaption(png, code.url, { caption: code.caption })).toBe('OFFLINE');
  });

  it('hashes the exact invoice bytes and captions the KSeF number once known', () => {
    const xml = buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/1', issueDate: '2026-03-02' });
    const ksefNumber = generateKsefNumber('5265877635', '20260302');
    const code = kodICode({ sellerNip: '5265877635', issueDate: '2026-03-02', invoice: Buffer.from(xml), ksefNumber });
    const hash = createHash('sha256').update(xml).digest('base64url');
    expect(code).toEqual({ url: `https://qr.ksef.mf.gov.pl/invoice/5265877635/02-03-2026/${hash}`, caption: ksefNumber });
    // One byte more is another invoice: another link.
    expect(kodICode({ sellerNip: '5265877635', issueDate: '2026-03-02', invoice: Buffer.from(`${xml}\n`) }).url).not.toBe(code.url);
  });

  it('refuses a malformed KSeF number instead of printing it', () => {
    expect(() => kodICode({ sellerNip: '5265877635', issueDate: '2026-03-02', invoiceHash: Buffer.alloc(32).toString('base64'), ksefNumber: '5265877635-20260302-0100001AF629-00' })).toThrow(/not a KSeF number/);
  });
});

describe('invoiceQrFacts', () => {
  it('reads the seller NIP and P_1 of an FA(3) file', () => {
    const xml = buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/1', issueDate: '2026-03-02' });
    expect(invoiceQrFacts(Buffer.from(xml))).toEqual({ sellerNip: '5265877635', issueDate: '2026-03-02' });
  });

  it('reads prefixed elements by local name', () => {
    const xml = `<tns:Faktura xmlns:tns="http://crd.gov.pl/wzor/2025/06/25/13775/"><tns:Podmiot1><tns:DaneIdentyfikacyjne><tns:NIP>1111111111</tns:NIP></tns:DaneIdentyfikacyjne></tns:Podmiot1><tns:Fa><tns:P_1>2026-02-01</tns:P_1></tns:Fa></tns:Faktura>`;
    expect(invoiceQrFacts(xml)).toEqual({ sellerNip: '1111111111', issueDate: '2026-02-01' });
  });

  it.each([
    ['<Faktura><Fa><P_1>2026-02-01</P_1></Fa></Faktura>', /seller NIP/],
    ['<Faktura><Podmiot1><DaneIdentyfikacyjne><NIP>1111111111</NIP></DaneIdentyfikacyjne></Podmiot1></Faktura>', /Fa\/P_1/],
    ['<Faktura><Fa>', /well-formed/],
  ])('names what is missing in %s', (xml, message) => {
    expect(() => invoiceQrFacts(xml)).toThrow(message);
  });
});
