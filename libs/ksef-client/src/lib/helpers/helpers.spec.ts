import { generateKsefNumber } from '@ksef-bridge/ksef-spec';
import { buildKodIUrl, kodICaption } from './qr-code';
import { validateKsefNumber } from './ksef-number';

describe('validateKsefNumber', () => {
  it('accepts the documented example and generated numbers', () => {
    expect(validateKsefNumber('5265877635-20250826-0100001AF629-AF')).toEqual({ valid: true, sellerNip: '5265877635', date: '20250826', technicalPart: '0100001AF629' });
    expect(validateKsefNumber(generateKsefNumber('1111111111', '20260201')).valid).toBe(true);
  });

  it('refuses bad format, date and checksum', () => {
    expect(validateKsefNumber('5265877635-20250826-0100001AF629')).toEqual({ valid: false, reason: 'format' });
    expect(validateKsefNumber('5265877635-20250826-0100001af629-AF')).toEqual({ valid: false, reason: 'format' });
    expect(validateKsefNumber('5265877635-20250231-0100001AF629-AF').valid).toBe(false);
    expect(validateKsefNumber('5265877635-20250826-0100001AF629-AE')).toEqual({ valid: false, reason: 'checksum' });
  });
});

describe('buildKodIUrl', () => {
  it('builds the documented link from the invoice hash', () => {
    const hash = Buffer.from('UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE', 'base64url').toString('base64');
    expect(buildKodIUrl({ environment: 'test', sellerNip: '1111111111', issueDate: '2026-02-01', invoiceHash: hash })).toBe(
      'https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE',
    );
  });

  it('hashes the invoice file itself, Base64URL without padding', () => {
    const url = buildKodIUrl({ qrBaseUrl: 'https://qr.example/', sellerNip: '1111111111', issueDate: '2026-12-31', invoice: 'abc' });
    expect(url).toBe('https://qr.example/invoice/1111111111/31-12-2026/ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(buildKodIUrl({ sellerNip: '1111111111', issueDate: '2026-12-31', invoice: 'abc' })).toMatch(/^https:\/\/qr\.ksef\.mf\.gov\.pl\//);
  });

  it('refuses malformed input and captions OFFLINE before a KSeF number exists', () => {
    expect(() => buildKodIUrl({ sellerNip: '123', issueDate: '2026-12-31', invoice: 'x' })).toThrow('sellerNip');
    expect(() => buildKodIUrl({ sellerNip: '1111111111', issueDate: '31.12.2026', invoice: 'x' })).toThrow('issueDate');
    expect(() => buildKodIUrl({ sellerNip: '1111111111', issueDate: '2026-12-31', invoiceHash: 'abcd' })).toThrow('SHA-256');
    expect(kodICaption(undefined)).toBe('OFFLINE');
    expect(kodICaption('5265877635-20250826-0100001AF629-AF')).toBe('5265877635-20250826-0100001AF629-AF');
  });
});
