import { checkKsefNumber, generateKsefNumber, hasValidSellerNip, isValidKsefNumber, ksefNumberChecksum } from './ksef-number';
import { completeNip, isValidNip } from './nip';
import { generateReferenceNumber, isValidReferenceNumber, referenceNumberType } from './reference-number';
import { crc8 } from './crc8';

describe('KSeF number', () => {
  it('validates the documented example (CRC-8 poly 0x07 over the first 32 characters)', () => {
    expect(ksefNumberChecksum('5265877635-20250826-0100001AF629')).toBe('AF');
    expect(checkKsefNumber('5265877635-20250826-0100001AF629-AF')).toEqual({
      valid: true,
      parts: { sellerNip: '5265877635', date: '20250826', technicalPart: '0100001AF629', checksum: 'AF' },
    });
  });

  it('matches the CRC-8/SMBUS check value', () => {
    expect(crc8('123456789')).toBe(0xf4);
  });

  it('rejects a wrong checksum, a bad format and an impossible date', () => {
    expect(checkKsefNumber('5265877635-20250826-0100001AF629-AE')).toEqual({ valid: false, reason: 'checksum' });
    expect(checkKsefNumber('5265877635-20250826-0100001af629-AF')).toEqual({ valid: false, reason: 'format' });
    expect(checkKsefNumber('0265877635-20250826-0100001AF629-AF')).toEqual({ valid: false, reason: 'format' });
    const feb30 = generateKsefNumber('5265877635', '20250230', '0100001AF629');
    expect(checkKsefNumber(feb30)).toEqual({ valid: false, reason: 'date' });
  });

  it('accepts the 36-character KSeF 1.0 form the OpenAPI pattern admits', () => {
    const body = '5265877635-20250826-0100001-AF629'.replace('0100001-AF629', '010000-1AF629');
    expect(isValidKsefNumber(`${body}-${ksefNumberChecksum(body)}`)).toBe(true);
  });

  it('generates 35-character numbers that validate, reproducibly for a given technical part', () => {
    const number = generateKsefNumber('5265877635', new Date('2026-03-04T23:59:00Z'), 'ABCDEF012345');
    expect(number).toBe(`5265877635-20260304-ABCDEF012345-${ksefNumberChecksum('5265877635-20260304-ABCDEF012345')}`);
    for (let i = 0; i < 200; i++) {
      const random = generateKsefNumber('5265877635', new Date());
      expect(random).toHaveLength(35);
      expect(isValidKsefNumber(random)).toBe(true);
    }
    expect(hasValidSellerNip(number)).toBe(true);
    expect(() => generateKsefNumber('123', new Date())).toThrow(RangeError);
  });
});

describe('NIP', () => {
  it('checks the mod-11 checksum', () => {
    expect(isValidNip('5265877635')).toBe(true);
    expect(isValidNip('5265877636')).toBe(false);
    expect(completeNip('526587763')).toBe('5265877635');
  });
});

describe('reference number', () => {
  it('validates official examples (last group is CRC-8 of the first 33 characters)', () => {
    for (const ref of ['20250514-AU-2DFC46C000-3AC6D5877F-D4', '20250626-SO-2F14610000-242991F8C9-B4', '20250625-EE-319D7EE000-B67F415CDC-2C']) {
      expect(isValidReferenceNumber(ref)).toBe(true);
    }
    expect(isValidReferenceNumber('20250514-AU-2DFC46C000-3AC6D5877F-D5')).toBe(false);
  });

  it('generates 36-character numbers of the requested type', () => {
    const ref = generateReferenceNumber('SO', new Date('2026-01-02T00:00:00Z'), Buffer.alloc(10, 0xab));
    expect(ref).toMatch(/^20260102-SO-ABABABABAB-ABABABABAB-[0-9A-F]{2}$/);
    expect(isValidReferenceNumber(ref)).toBe(true);
    expect(referenceNumberType(generateReferenceNumber('EE'))).toBe('EE');
  });
});
