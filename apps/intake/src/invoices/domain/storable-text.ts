import { IntakeRefusal } from './intake-refusal';

/**
 * Characters an ERP's free text (document id, metadata) may not carry: U+0000, which PostgreSQL text and jsonb cannot
 * hold (the invoice row, the outbox, the intake.rejected answer), and what XML 1.0 cannot carry either: the other C0
 * controls but TAB, LF and CR, U+FFFE, U+FFFF and lone surrogates (with the `u` flag a surrogate pair is one code
 * point, so only unpaired halves match).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSTORABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

/** The ERP's free-text fields of a submission (HTTP body or Kafka payload), as given: checked before the schema. */
export function freeTextFields(payload: unknown): Array<readonly [string, string]> {
  if (!payload || typeof payload !== 'object') return [];
  const { erpDocumentId, metadata } = payload as { erpDocumentId?: unknown; metadata?: unknown };
  const fields: Array<readonly [string, string]> = [];
  if (typeof erpDocumentId === 'string') fields.push(['erpDocumentId', erpDocumentId]);
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [key, value] of Object.entries(metadata)) {
      // The key is named escaped and short: it may itself be what is refused.
      const path = `metadata[${JSON.stringify(key.slice(0, 50))}]`;
      fields.push([`${path} (key)`, key]);
      if (typeof value === 'string') fields.push([path, value]);
    }
  }
  return fields;
}

/** Throws TEXT_CHARACTER_NOT_ALLOWED naming the first field holding a character that cannot be stored, and which one. */
export function refuseUnstorableText(fields: ReadonlyArray<readonly [string, string]>): void {
  for (const [field, value] of fields) {
    const match = UNSTORABLE.exec(value);
    if (!match) continue;
    const codePoint = `U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new IntakeRefusal(
      'TEXT_CHARACTER_NOT_ALLOWED',
      `${field} contains ${codePoint} at index ${match.index}: control characters (but TAB, LF, CR), U+FFFE, U+FFFF and lone surrogates cannot be stored`,
      { field, codePoint, index: match.index },
    );
  }
}

/**
 * A copy of a JSON value whose strings (and keys) hold no U+0000: each is written as the six characters `\u0000`.
 * PostgreSQL jsonb refuses U+0000, and the outbox stores envelopes as jsonb, so an answer or a dead-letter copy of a
 * refused message goes through this; nothing else is changed.
 */
export function withoutNul<T>(value: T): T {
  // eslint-disable-next-line no-control-regex -- U+0000 is what jsonb refuses
  const escape = (s: string) => s.replace(/\u0000/g, '\\u0000');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return escape(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [escape(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
