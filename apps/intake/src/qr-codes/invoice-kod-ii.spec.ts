import { createHash } from 'node:crypto';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { kodIIRequestForStoredInvoice } from './invoice-kod-ii';
import { formatOf } from './kod-ii.controller';

describe('KOD II of a stored invoice', () => {
  const xml = Buffer.from(buildSampleInvoice({ sellerNip: '5265877635', invoiceNumber: 'FV/1', issueDate: '2026-01-15' }), 'utf8');
  const base = { id: 'i-1', tenantId: 'acme', state: 'OFFLINE' as const, contextNip: null, offlineMode: 'offline24' as const };
  const codeOf = (run: () => unknown) => {
    try {
      run();
      return undefined;
    } catch (error) {
      return { status: (error as { getStatus(): number }).getStatus(), code: ((error as { getResponse(): { error: { code: string } } }).getResponse()).error.code };
    }
  };

  it('asks for the seller context (or the recorded one), the SHA-256 of the exact bytes and the environment', () => {
    expect(kodIIRequestForStoredInvoice(base, xml, 'test')).toEqual({ tenantId: 'acme', contextNip: '5265877635', sellerNip: '5265877635', invoiceHash: createHash('sha256').update(xml).digest('base64'), environment: 'test' });
    expect(kodIIRequestForStoredInvoice({ ...base, contextNip: '5261040828', state: 'ACCEPTED' }, xml, 'production').contextNip).toBe('5261040828');
  });

  it('refuses online, total-failure, never-in-KSeF invoices and XML without the facts', () => {
    expect(codeOf(() => kodIIRequestForStoredInvoice({ ...base, offlineMode: null }, xml, 'test'))).toEqual({ status: 409, code: 'KOD_II_NOT_APPLICABLE' });
    expect(codeOf(() => kodIIRequestForStoredInvoice({ ...base, offlineMode: 'total-failure' }, xml, 'test'))).toEqual({ status: 409, code: 'QR_CODE_NOT_AVAILABLE' });
    expect(codeOf(() => kodIIRequestForStoredInvoice({ ...base, state: 'REJECTED' }, xml, 'test'))).toEqual({ status: 409, code: 'QR_CODE_NOT_AVAILABLE' });
    expect(codeOf(() => kodIIRequestForStoredInvoice(base, Buffer.from('<Faktura/>'), 'test'))).toEqual({ status: 422, code: 'QR_CODE_FACTS_MISSING' });
  });

  it('negotiates the format by Accept, PNG by default', () => {
    expect(formatOf(undefined)).toBe('png');
    expect(formatOf('*/*')).toBe('png');
    expect(formatOf('image/svg+xml')).toBe('svg');
    expect(formatOf('application/json')).toBe('json');
    expect(formatOf('image/png, application/json')).toBe('png');
  });
});
