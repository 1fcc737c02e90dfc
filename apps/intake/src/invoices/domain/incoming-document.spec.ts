import { buildSampleInvoice, createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { checkIncomingDocument } from './incoming-document';
import { IntakeRefusal } from './intake-refusal';

describe('checkIncomingDocument', () => {
  let xml: KsefXmlValidator;
  beforeAll(async () => {
    xml = await createKsefXmlValidator();
  });
  afterAll(() => xml.close());

  const refusal = (bytes: Buffer, max = 3_000_000) => {
    try {
      checkIncomingDocument(bytes, max, xml);
    } catch (error) {
      return error as IntakeRefusal;
    }
    throw new Error('expected a refusal');
  };

  it('identifies a document by the SHA-256 of its exact bytes', () => {
    const bytes = Buffer.from(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'A/1' }));
    const doc = checkIncomingDocument(bytes, 3_000_000, xml);
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(checkIncomingDocument(Buffer.concat([bytes, Buffer.from('\n')]), 3_000_000, xml).sha256).not.toBe(doc.sha256);
  });

  it('takes in a well-formed document that is not schema-valid: that is the validator’s finding', () => {
    expect(checkIncomingDocument(Buffer.from('<Faktura xmlns="urn:x"/>'), 3_000_000, xml).bytes.length).toBeGreaterThan(0);
  });

  it.each([
    ['empty', Buffer.alloc(0), 'DOCUMENT_EMPTY', 400],
    ['too large', Buffer.from(`<a>${'x'.repeat(100)}</a>`), 'DOCUMENT_TOO_LARGE', 413],
    ['BOM', Buffer.from([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]), 'DOCUMENT_ENCODING', 415],
    ['processing instruction', Buffer.from('<a><?php x ?></a>'), 'DOCUMENT_ENCODING', 415],
    ['not XML', Buffer.from('{"json": true}'), 'XML_MALFORMED', 400],
  ])('refuses %s', (_what, bytes, code, status) => {
    const error = refusal(bytes, 50);
    expect(error).toBeInstanceOf(IntakeRefusal);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.retriable).toBe(false);
  });

  it('names the line of a well-formedness error', () => {
    expect(refusal(Buffer.from('<a>\n<b>\n</a>')).message).toMatch(/line \d/);
  });
});
