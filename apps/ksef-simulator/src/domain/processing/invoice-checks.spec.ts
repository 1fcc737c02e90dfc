import { buildSampleInvoice, createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { checkInvoice, type CheckOptions } from './invoice-checks';

describe('checkInvoice', () => {
  let validator: KsefXmlValidator;
  beforeAll(async () => {
    validator = await createKsefXmlValidator();
  });
  afterAll(() => validator.close());
  const options: CheckOptions = { production: false, maxSizeBytes: 1_000_000, maxSizeWithAttachmentBytes: 3_000_000, attachmentsAllowed: false, now: new Date('2026-03-01T12:00:00Z') };
  const xml = (o: Partial<Parameters<typeof buildSampleInvoice>[0]> = {}) => Buffer.from(buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'A/1', issueDate: '2026-03-01', ...o }));

  it('accepts a valid invoice and extracts the duplicate key', () => {
    const result = checkInvoice(xml(), 'FA (3)', validator, options);
    expect(result).toMatchObject({ ok: true, fields: { sellerNip: '5265877635', invoiceNumber: 'A/1', invoiceType: 'VAT' } });
  });

  it('430 for size, bytes and schema; 450 for an issue date in the future and (production) a bad NIP', () => {
    expect(checkInvoice(xml(), 'FA (3)', validator, { ...options, maxSizeBytes: 10 })).toMatchObject({ ok: false, status: { code: 430 } });
    expect(checkInvoice(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), xml()]), 'FA (3)', validator, options)).toMatchObject({ ok: false, status: { code: 430 } });
    expect(checkInvoice(xml(), 'FA (2)', validator, options)).toMatchObject({ ok: false, status: { code: 430 } });
    expect(checkInvoice(xml({ issueDate: '2026-03-02' }), 'FA (3)', validator, options)).toMatchObject({ ok: false, status: { code: 450 } });
    expect(checkInvoice(xml({ buyerNip: '1234567890' }), 'FA (3)', validator, options).ok).toBe(true);
    expect(checkInvoice(xml({ buyerNip: '1234567890' }), 'FA (3)', validator, { ...options, production: true })).toMatchObject({ ok: false, status: { code: 450 } });
  });
});
