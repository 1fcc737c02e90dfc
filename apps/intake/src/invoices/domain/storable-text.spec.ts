import { IntakeRefusal } from './intake-refusal';
import { freeTextFields, refuseUnstorableText, withoutNul } from './storable-text';

const refusal = (payload: unknown): IntakeRefusal | undefined => {
  try {
    refuseUnstorableText(freeTextFields(payload));
    return undefined;
  } catch (error) {
    return error as IntakeRefusal;
  }
};

describe('characters PostgreSQL or XML cannot store', () => {
  it.each([
    ['NUL in the document id', { erpDocumentId: 'FV/\u00001' }, 'erpDocumentId', 'U+0000', 3],
    ['ESC in a metadata value', { erpDocumentId: 'FV/1', metadata: { note: '\u001b[31m' } }, 'metadata["note"]', 'U+001B', 0],
    ['NUL in a metadata key', { erpDocumentId: 'FV/1', metadata: { 'a\u0000': 'x' } }, 'metadata["a\\u0000"] (key)', 'U+0000', 1],
    ['U+FFFE', { erpDocumentId: 'FV/\ufffe' }, 'erpDocumentId', 'U+FFFE', 3],
    ['a lone high surrogate', { erpDocumentId: 'FV/\ud800x' }, 'erpDocumentId', 'U+D800', 3],
    ['a lone low surrogate', { erpDocumentId: 'FV/1', metadata: { k: '\udc00' } }, 'metadata["k"]', 'U+DC00', 0],
  ])('refuses %s with TEXT_CHARACTER_NOT_ALLOWED naming field and character', (_what, payload, field, codePoint, index) => {
    const error = refusal(payload);
    expect(error).toBeInstanceOf(IntakeRefusal);
    expect(error).toMatchObject({ code: 'TEXT_CHARACTER_NOT_ALLOWED', httpStatus: 400, retriable: false, details: { field, codePoint, index } });
  });

  it('takes TAB, LF, CR, Polish letters, astral characters, RTL marks and non-string fields (the schema judges those)', () => {
    expect(refusal({ erpDocumentId: 'FV\t1\n2\r', metadata: { note: 'Żółć „x” 𝔘 \u202Eevil', n: 5 } })).toBeUndefined();
    expect(refusal({ erpDocumentId: 12, metadata: ['\u0000'] })).toBeUndefined();
    expect(refusal(null)).toBeUndefined();
  });

  it('writes U+0000 as the text \\u0000 in strings and keys for jsonb, everything else untouched', () => {
    const value = { id: 'a\u0000b', list: ['\u0000', 1, null], nested: { 'k\u0000': 'ok\u0007' } };
    expect(withoutNul(value)).toEqual({ id: 'a\\u0000b', list: ['\\u0000', 1, null], nested: { 'k\\u0000': 'ok\u0007' } });
    expect(value.id).toBe('a\u0000b');
  });
});
