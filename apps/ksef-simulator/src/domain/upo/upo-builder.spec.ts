import { createKsefXmlValidator, generateKsefNumber, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { buildUpo } from './upo-builder';

describe('buildUpo', () => {
  let validator: KsefXmlValidator;
  beforeAll(async () => {
    validator = await createKsefXmlValidator();
  });
  afterAll(() => validator.close());

  const doc = (n: number) => ({
    sellerNip: '5265877635',
    ksefNumber: generateKsefNumber('5265877635', new Date('2026-01-02T00:00:00Z')),
    invoiceNumber: `FV/${n} & <co>`,
    issueDate: '2026-01-02',
    submittedAt: new Date('2026-01-02T10:00:00Z'),
    ksefNumberAssignedAt: new Date('2026-01-02T10:00:01Z'),
    invoiceHash: 'GZMGNVzs3krF6URKgvaw77OOeG3nJ+WGziT5xguliQ8=',
    invoicingMode: 'Online' as const,
  });

  it.each([
    ['per invoice, token auth, NIP context', { context: { type: 'Nip', value: '5265877635' }, tokenReference: '20250514-EC-2DFC46C000-3AC6D5877F-D4', documents: [doc(1)] }],
    ['session page, XAdES auth, InternalId context', { context: { type: 'InternalId', value: '5265877635-12345' }, authDocumentHash: 'kyqH+QUgP8ATWd/95IY632mP4uqibwG66Oqclq9+qno=', documents: [doc(1), doc(2)], page: { number: 1, pages: 1, from: 1, to: 2, total: 2 } }],
  ])('validates against upo-v4-3.xsd: %s', (_name, input) => {
    const xml = buildUpo({ sessionReference: '20250626-SO-2F14610000-242991F8C9-B4', formSystemCode: 'FA (3)', ...input });
    expect(validator.validate('UPO-v4-3', xml).problems).toEqual([]);
  });

  it('fails the schema when a required part is wrong (the check is not vacuous)', () => {
    const xml = buildUpo({ sessionReference: 'not-a-reference', formSystemCode: 'FA (3)', context: { type: 'Nip', value: '5265877635' }, tokenReference: 'x', documents: [doc(1)] });
    expect(validator.validate('UPO-v4-3', xml).valid).toBe(false);
  });
});
