import { loadScenario } from '@ksef-bridge/invoice-scenarios';

/**
 * Hostile documents for the validator, built from a valid FA(3) invoice of the regression library so that each one
 * differs from an acceptable invoice only by its attack. `url` is where an external entity would phone home (a local
 * listener the test watches).
 */
export interface HostileDocument {
  name: string;
  bytes: Buffer;
  /** The first issue's code the validator must report. */
  code: string;
  stage: 'document' | 'schema';
}

const FA3 = 'http://crd.gov.pl/wzor/2025/06/25/13775/';

export function validInvoice(): string {
  return loadScenario('fa3-vat-domestic').xml.toString('utf8');
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** The valid invoice with a DOCTYPE (internal subset `subset`) between the prolog and the root, `body` added to P_7. */
function withDoctype(subset: string, reference = ''): Buffer {
  return utf8(validInvoice().replace('<Faktura', `<!DOCTYPE Faktura [\n${subset}\n]>\n<Faktura`).replace('<P_7>', `<P_7>${reference}`));
}

export function hostileCorpus(url: string): HostileDocument[] {
  const laughs = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('\n');
  const quadratic = `<!ENTITY a "${'a'.repeat(50_000)}">`;
  const valid = validInvoice();
  const deep = (levels: number) => utf8(`<?xml version="1.0" encoding="UTF-8"?><Faktura xmlns="${FA3}">${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}</Faktura>`);
  const padded = (size: number, extra = '') => utf8(valid.replace('</Faktura>', `${extra}<!--${'x'.repeat(size - Buffer.byteLength(valid) - Buffer.byteLength(extra) - 7)}--></Faktura>`));
  const latin2 = Buffer.from(valid.replace('Józef Żółkiewski', 'J\u00f3zef \u017b\u00f3\u0142kiewski'), 'latin1');
  return [
    { name: 'XXE: external file entity', bytes: withDoctype('<!ENTITY xxe SYSTEM "file:///etc/passwd">', '&xxe;'), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'XXE: external network entity', bytes: withDoctype(`<!ENTITY xxe SYSTEM "${url}/entity">`, '&xxe;'), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'XXE: parameter entity fetching an external DTD', bytes: withDoctype(`<!ENTITY % remote SYSTEM "${url}/dtd">\n%remote;`), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'XXE: external DTD in the DOCTYPE itself', bytes: utf8(valid.replace('<Faktura', `<!DOCTYPE Faktura SYSTEM "${url}/external.dtd">\n<Faktura`)), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'billion laughs (10^9 expansions)', bytes: withDoctype(laughs, '&lol9;'), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'quadratic blowup (50 kB entity referenced 15,000 times)', bytes: withDoctype(quadratic, '&a;'.repeat(15_000)), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'lower-case doctype', bytes: utf8(valid.replace('<Faktura', '<!doctype Faktura [<!ENTITY x "y">]>\n<Faktura')), code: 'DOCTYPE_NOT_ALLOWED', stage: 'document' },
    { name: 'deeply nested XML (100,000 levels)', bytes: deep(100_000), code: 'XML_MALFORMED', stage: 'document' },
    { name: 'declared UTF-8, Latin-2 bytes', bytes: latin2, code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'declared ISO-8859-2', bytes: utf8(valid.replace('encoding="UTF-8"', 'encoding="ISO-8859-2"')), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'UTF-16LE without BOM', bytes: Buffer.from(valid.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le'), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'UTF-16LE with BOM', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, 'utf16le')]), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'UTF-16BE with BOM', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(valid, 'utf16le').swap16()]), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'UTF-8 BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(valid)]), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'UTF-32LE BOM', bytes: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), utf8(valid)]), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'overlong UTF-8 encoding of "<"', bytes: Buffer.concat([utf8(valid.slice(0, valid.indexOf('<P_7>'))), Buffer.from([0xc0, 0xbc]), utf8(valid.slice(valid.indexOf('<P_7>') + 1))]), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'NUL byte in a text field', bytes: utf8(valid.replace('<P_7>', '<P_7>\u0000')), code: 'XML_MALFORMED', stage: 'document' },
    { name: 'C1 control character (U+0085 is allowed, U+0080 is not)', bytes: utf8(valid.replace('<P_7>', '<P_7>\u0080')), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: 'processing instruction', bytes: utf8(valid.replace('<Naglowek>', '<?xml-stylesheet href="http://evil/x.xsl"?><Naglowek>')), code: 'DOCUMENT_ENCODING', stage: 'document' },
    { name: '10 MB document', bytes: padded(10_000_000), code: 'DOCUMENT_TOO_LARGE', stage: 'document' },
    { name: '10 MB document claiming an attachment', bytes: padded(10_000_000, '<Zalacznik></Zalacznik>'), code: 'DOCUMENT_TOO_LARGE', stage: 'document' },
    { name: 'one byte over 1,000,000 without attachment', bytes: padded(1_000_001), code: 'DOCUMENT_TOO_LARGE', stage: 'document' },
    // Before the namespace regex scanned only up to the next '<', this took minutes of CPU (quadratic backtracking).
    { name: '330,000 unclosed "<Faktura " openings next to a Zalacznik (3 MB limit)', bytes: utf8(`<Zalacznik>${'<Faktura '.repeat(330_000)}`), code: 'UNKNOWN_FORM', stage: 'schema' },
    { name: 'a 900 kB attribute value', bytes: utf8(valid.replace('<Faktura xmlns', `<Faktura data="${'A'.repeat(900_000)}" xmlns`)), code: 'XSD_VIOLATION', stage: 'schema' },
    { name: '20,000 attributes on one element', bytes: utf8(valid.replace('<P_7>', `<P_7 ${Array.from({ length: 20_000 }, (_, i) => `a${i}="1"`).join(' ')}>`)), code: 'XSD_VIOLATION', stage: 'schema' },
    { name: 'undeclared entity reference', bytes: utf8(valid.replace('<P_7>', '<P_7>&xxe;')), code: 'XML_MALFORMED', stage: 'document' },
    { name: 'empty document', bytes: Buffer.alloc(0), code: 'UNKNOWN_FORM', stage: 'schema' },
    { name: 'JSON instead of XML', bytes: utf8('{"Faktura": {"xmlns": "' + FA3 + '"}}'), code: 'UNKNOWN_FORM', stage: 'schema' },
  ];
}
