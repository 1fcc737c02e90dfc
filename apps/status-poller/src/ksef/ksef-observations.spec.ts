import { KsefLogicalError, KsefRateLimitError, KsefTransportError, type SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import { failureOf, verdictOf } from './ksef-observations';

const status = (code: number, extra: Partial<SessionInvoiceStatusResponse> = {}, extensions?: Record<string, string>): SessionInvoiceStatusResponse => ({
  ordinalNumber: 1,
  referenceNumber: 'EE-1',
  invoiceHash: 'h',
  invoicingDate: '2026-01-01T10:00:00Z',
  status: { code, description: `d${code}`, details: code === 430 ? ['bad field'] : undefined, extensions },
  ...extra,
});
const facts = { operation: 'getInvoiceStatus', method: 'GET', path: '/x', referenceNumbers: {} };

describe('verdictOf', () => {
  it('maps pending, accepted and rejected statuses', () => {
    expect(verdictOf(status(150), 'SO-1')).toEqual({ kind: 'pending', code: 150, description: 'd150' });
    expect(verdictOf(status(200, { ksefNumber: 'K-1', acquisitionDate: '2026-01-01T10:00:01Z' }), 'SO-1')).toEqual({ kind: 'accepted', ksefNumber: 'K-1', acquisitionDate: '2026-01-01T10:00:01Z', duplicate: false, upoSessionReferenceNumber: 'SO-1' });
    expect(verdictOf(status(430), 'SO-1')).toEqual({ kind: 'rejected', code: 430, description: 'd430', details: ['bad field'] });
  });

  it('resolves a 440 duplicate to the ORIGINAL KSeF number and session, never a rejection', () => {
    expect(verdictOf(status(440, {}, { originalKsefNumber: 'K-ORIG', originalSessionReferenceNumber: 'SO-ORIG' }), 'SO-2')).toEqual({ kind: 'accepted', ksefNumber: 'K-ORIG', duplicate: true, upoSessionReferenceNumber: 'SO-ORIG' });
    expect(verdictOf(status(440), 'SO-2')).toEqual({ kind: 'duplicate-unresolved', description: 'd440' });
  });

  it('550 is a cancellation', () => {
    expect(verdictOf(status(550), 'SO-1')).toMatchObject({ kind: 'cancelled', code: 550 });
  });
});

describe('failureOf', () => {
  it('keeps Retry-After of a 429', () => {
    expect(failureOf(new KsefRateLimitError('429', 7_000, { facts }))).toEqual({ kind: 'rate-limited', retryAfterMs: 7_000 });
  });
  it('names the self-resolving KSeF codes and keeps the code of anything else', () => {
    expect(failureOf(new KsefLogicalError('no upo', { facts: { ...facts, exceptionCodes: [21178] } }))).toMatchObject({ kind: 'failed', code: 'KSEF_UPO_NOT_READY' });
    expect(failureOf(new KsefTransportError('KSEF_SERVER_ERROR', '503', { facts }))).toMatchObject({ kind: 'failed', code: 'KSEF_SERVER_ERROR' });
    expect(failureOf(new Error('boom'))).toMatchObject({ kind: 'failed', code: 'UNEXPECTED_ERROR' });
  });
});
