/**
 * Byte-level checks KSeF applies before the schema (faktury/weryfikacja-faktury.md): UTF-8 without BOM, a prolog
 * that declares no other encoding, no processing instructions, no discouraged Unicode code points.
 * Returns a problem description or undefined when the file passes.
 */
export function invoicePreflight(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'Plik zawiera znacznik BOM (UTF-8 BOM is not allowed)';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'Nieprawidłowe kodowanie znaków (file is not valid UTF-8)';
  }
  const prolog = /^<\?xml\s[^?]*\?>/.exec(text);
  const encoding = prolog && /encoding\s*=\s*["']([^"']+)["']/.exec(prolog[0]);
  if (encoding && encoding[1].toUpperCase() !== 'UTF-8') return `Deklarowane kodowanie '${encoding[1]}' inne niż UTF-8`;
  const afterProlog = prolog ? text.slice(prolog[0].length) : text;
  if (/<\?/.test(afterProlog)) return 'Dokument zawiera instrukcje przetwarzania (processing instructions are not allowed)';
  // #x7F–#x84, #x86–#x9F, #xFDD0–#xFDEF, and #xnFFFE–#xnFFFF in every plane.
  if (/[\u007F-\u0084\u0086-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/.test(text)) {
    return 'Dokument zawiera niedozwolone znaki Unicode (discouraged code points)';
  }
  return undefined;
}
