import { createHash } from 'node:crypto';
import { IntakeRefusal } from './intake-refusal';
import { describeMarking, hashOfCorrectedInvoice, parseOfflineMarking, parseTechnicalCorrectionOf, sameOfflineMarking } from './offline-marking';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(IntakeRefusal);
    return (error as IntakeRefusal).code;
  }
};

describe('parseOfflineMarking', () => {
  it('takes every mode, and a period end with a zone for the KSeF-announced ones', () => {
    expect(parseOfflineMarking(undefined)).toBeUndefined();
    expect(parseOfflineMarking(null)).toBeUndefined();
    for (const mode of ['offline24', 'unavailability', 'failure', 'total-failure']) expect(parseOfflineMarking({ mode })).toEqual({ mode });
    expect(parseOfflineMarking({ mode: 'failure', periodEndedAt: '2026-03-10T14:00:00+01:00' })).toEqual({ mode: 'failure', periodEndedAt: '2026-03-10T14:00:00+01:00' });
    expect(parseOfflineMarking({ mode: 'unavailability', periodEndedAt: '2026-03-10T13:00:00.250Z' })).toEqual({ mode: 'unavailability', periodEndedAt: '2026-03-10T13:00:00.250Z' });
  });

  it.each([
    [{ mode: 'offline48' }, 'OFFLINE_MODE_UNKNOWN'],
    [{ mode: 'OFFLINE24' }, 'OFFLINE_MODE_UNKNOWN'],
    [{}, 'OFFLINE_MODE_UNKNOWN'],
    [{ mode: 'offline24', periodEndedAt: '2026-03-10T14:00:00Z' }, 'OFFLINE_PERIOD_NOT_ALLOWED'],
    [{ mode: 'failure', periodEndedAt: '2026-03-10' }, 'OFFLINE_MARKING_INVALID'],
    [{ mode: 'failure', periodEndedAt: '2026-03-10T14:00:00' }, 'OFFLINE_MARKING_INVALID'],
    [{ mode: 'failure', periodEndedAt: '2026-13-45T14:00:00Z' }, 'OFFLINE_MARKING_INVALID'],
    [{ mode: 'failure', periodEndedAt: 1 }, 'OFFLINE_MARKING_INVALID'],
    [{ mode: 'failure', reason: 'x' }, 'OFFLINE_MARKING_INVALID'],
    ['offline24', 'OFFLINE_MARKING_INVALID'],
    [['offline24'], 'OFFLINE_MARKING_INVALID'],
  ])('refuses %j with %s', (raw, code) => {
    expect(codeOf(() => parseOfflineMarking(raw))).toBe(code);
  });

  it('echoes unknown field names printable, short and at most five (the message is stored and shown)', () => {
    const raw = Object.fromEntries([['mode', 'failure'], ['a\u0000b', 1], ...Array.from({ length: 7 }, (_, i) => [`${'x'.repeat(60)}${i}`, 1])]);
    expect(() => parseOfflineMarking(raw)).toThrow(/^offline has unknown field\(s\): a\?b, x{40}, x{40}, x{40}, x{40}, …; allowed: mode, periodEndedAt$/);
  });

  it('names the allowed modes in the refusal', () => {
    expect(() => parseOfflineMarking({ mode: 'x' })).toThrow('offline.mode must be one of offline24, unavailability, failure, total-failure');
  });
});

describe('technical corrections', () => {
  it('takes a UUID (lower-cased) and refuses anything else as REQUEST_INVALID', () => {
    expect(parseTechnicalCorrectionOf('0F6B1C2E-1111-4222-8333-444455556666')).toBe('0f6b1c2e-1111-4222-8333-444455556666');
    expect(parseTechnicalCorrectionOf(undefined)).toBeUndefined();
    expect(codeOf(() => parseTechnicalCorrectionOf('FV/1'))).toBe('REQUEST_INVALID');
    expect(codeOf(() => parseTechnicalCorrectionOf(42))).toBe('REQUEST_INVALID');
  });

  it("hashOfCorrectedInvoice is Base64 of the SHA-256 bytes (KSeF's 44 characters), from intake's hex", () => {
    const file = Buffer.from('<Faktura/>');
    const hex = createHash('sha256').update(file).digest('hex');
    const hash = hashOfCorrectedInvoice(hex);
    expect(hash).toBe(createHash('sha256').update(file).digest('base64'));
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(() => hashOfCorrectedInvoice('xyz')).toThrow();
  });

  it('compares markings by mode and instant, and describes them', () => {
    expect(sameOfflineMarking(undefined, undefined)).toBe(true);
    expect(sameOfflineMarking({ mode: 'offline24' }, undefined)).toBe(false);
    expect(sameOfflineMarking({ mode: 'failure', periodEndedAt: '2026-03-10T14:00:00+01:00' }, { mode: 'failure', periodEndedAt: '2026-03-10T13:00:00.000Z' })).toBe(true);
    expect(sameOfflineMarking({ mode: 'failure' }, { mode: 'failure', periodEndedAt: '2026-03-10T13:00:00Z' })).toBe(false);
    expect(sameOfflineMarking({ mode: 'failure' }, { mode: 'unavailability' })).toBe(false);
    expect(describeMarking(undefined)).toBe('online (no offline marking)');
    expect(describeMarking({ mode: 'failure', periodEndedAt: '2026-03-10T13:00:00Z' })).toBe('failure (period ended 2026-03-10T13:00:00Z)');
  });
});
