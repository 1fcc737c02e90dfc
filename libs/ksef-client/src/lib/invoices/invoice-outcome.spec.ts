import { KsefInvoiceRejectedError } from '../errors/ksef-errors';
import type { SessionInvoiceStatusResponse } from '../model/ksef-api.types';
import { assertInvoiceAccepted, invoiceOutcome, isFinalOutcome } from './invoice-outcome';

const status = (code: number, extra: Partial<SessionInvoiceStatusResponse> = {}, ext?: Record<string, string>): SessionInvoiceStatusResponse => ({
  ordinalNumber: 1,
  referenceNumber: '20250626-EE-0000000000-0000000000-01',
  invoiceHash: 'h'.repeat(44),
  invoicingDate: '2025-06-26T10:00:00Z',
  status: { code, description: `status ${code}`, details: code === 430 ? ['XSD: P_2 missing'] : undefined, extensions: ext },
  ...extra,
});

describe('invoiceOutcome', () => {
  it('100/150 pending, 200 with a number accepted', () => {
    expect(invoiceOutcome(status(100)).kind).toBe('pending');
    expect(invoiceOutcome(status(150)).kind).toBe('pending');
    expect(invoiceOutcome(status(200, { ksefNumber: '5265877635-20250826-0100001AF629-AF' }))).toMatchObject({ kind: 'accepted', ksefNumber: '5265877635-20250826-0100001AF629-AF' });
    expect(isFinalOutcome(invoiceOutcome(status(100)))).toBe(false);
  });

  it('440 duplicate is success carrying the original KSeF number', () => {
    const o = invoiceOutcome(status(440, {}, { originalKsefNumber: '5265877635-20250826-0100001AF629-AF', originalSessionReferenceNumber: 'S' }));
    expect(o).toMatchObject({ kind: 'duplicate', originalKsefNumber: '5265877635-20250826-0100001AF629-AF', originalSessionReferenceNumber: 'S' });
    expect(assertInvoiceAccepted(o.status)).toBe('5265877635-20250826-0100001AF629-AF');
  });

  it('430 and others are rejections with their details; 550 is a retriable cancellation', () => {
    expect(invoiceOutcome(status(430))).toMatchObject({ kind: 'rejected', code: 430, details: ['XSD: P_2 missing'] });
    expect(invoiceOutcome(status(550)).kind).toBe('cancelled');
    let error: unknown;
    try {
      assertInvoiceAccepted(status(430));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KsefInvoiceRejectedError);
    expect((error as KsefInvoiceRejectedError).processingCode).toBe(430);
    expect((error as KsefInvoiceRejectedError).retriable).toBe(false);
    expect((error as KsefInvoiceRejectedError).facts.referenceNumbers['invoiceReferenceNumber']).toBe('20250626-EE-0000000000-0000000000-01');
    try {
      assertInvoiceAccepted(status(550));
    } catch (e) {
      expect((e as KsefInvoiceRejectedError).retriable).toBe(true);
    }
  });
});
