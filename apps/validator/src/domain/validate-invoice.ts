import { invoicePreflight, KSEF_NAMESPACES, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { InvoiceDocument } from './invoice-document';
import { correctionReferenceRule } from './rules/correction-reference.rule';
import { datesRule } from './rules/dates.rule';
import { gtuCodesRule } from './rules/gtu-codes.rule';
import { nipChecksumRule } from './rules/nip-checksum.rule';
import { offlineIssueRule, type OfflineMarking } from './rules/offline-issue.rule';
import { totalsRule } from './rules/totals.rule';
import type { Issue } from './validation-issue';

export type InvoiceForm = 'FA(2)' | 'FA(3)';

export type InvoiceVerdict =
  | { valid: true; form: InvoiceForm; contextNip: string; invoiceNumber: string; invoiceType: string; issueDate: string }
  | { valid: false; stage: 'document' | 'schema' | 'rules'; issues: Issue[] };

/** KSeF size limits (faktury/weryfikacja-faktury.md): 1,000,000 bytes; 3,000,000 with attachments (FA(3) Zalacznik). */
export const MAX_BYTES = 1_000_000;
export const MAX_BYTES_WITH_ATTACHMENTS = 3_000_000;

/** Enough to fix a document; a broken template can produce thousands of identical schema errors. */
const MAX_ISSUES = 100;

/**
 * Local validation in KSeF's order: bytes (encoding, size), XSD of the declared form, then business rules. Each stage
 * reports every finding it has; a later stage runs only when the earlier ones passed (rules need a schema-valid tree).
 * `offline`: the ERP's offline marking from invoice.received, for the offline rules.
 */
export function validateInvoice(xml: KsefXmlValidator, bytes: Buffer, now: Date, offline?: OfflineMarking): InvoiceVerdict {
  const encoding = invoicePreflight(bytes);
  if (encoding) return invalid('document', [{ code: 'DOCUMENT_ENCODING', messagePl: encoding, messageEn: encoding }]);
  const text = bytes.toString('utf8');
  // No DTDs at all: no entity expansion (billion laughs) in any parser that reads the document after us.
  if (/<!DOCTYPE/i.test(text)) return invalid('document', [{ code: 'DOCTYPE_NOT_ALLOWED', messagePl: 'Dokument nie może zawierać deklaracji DOCTYPE', messageEn: 'The document may not contain a DOCTYPE declaration' }]);
  const withAttachments = /<(\w+:)?Zalacznik[\s>]/.test(text);
  const limit = withAttachments ? MAX_BYTES_WITH_ATTACHMENTS : MAX_BYTES;
  if (bytes.length > limit) {
    return invalid('document', [
      {
        code: 'DOCUMENT_TOO_LARGE',
        messagePl: `Plik faktury ma ${bytes.length} bajtów; limit KSeF to ${limit}${withAttachments ? ' (z załącznikami)' : ''}`,
        messageEn: `The invoice file has ${bytes.length} bytes; the KSeF limit is ${limit}${withAttachments ? ' (with attachments)' : ''}`,
      },
    ]);
  }

  // [^<>], not [^>]: each candidate tag is scanned only up to the next '<', so a megabyte of unclosed '<Faktura '
  // openings costs linear time instead of quadratic (tens of seconds to minutes blocking the event loop).
  const namespace = /<(?:[\w.-]+:)?Faktura\b[^<>]*?\sxmlns(?::[\w.-]+)?="([^"]*)"/.exec(text)?.[1];
  const form = (Object.keys(KSEF_NAMESPACES) as Array<keyof typeof KSEF_NAMESPACES>).find((f) => (f === 'FA(2)' || f === 'FA(3)') && KSEF_NAMESPACES[f] === namespace) as InvoiceForm | undefined;
  if (!form) {
    return invalid('schema', [
      {
        code: 'UNKNOWN_FORM',
        messagePl: `Dokument nie jest fakturą FA(2) ani FA(3) (przestrzeń nazw: ${namespace ?? 'brak'})`,
        messageEn: `The document is not an FA(2) or FA(3) invoice (namespace: ${namespace ?? 'none'})`,
      },
    ]);
  }
  const result = xml.validate(form, bytes);
  if (result.failure === 'parse') {
    return invalid(
      'document',
      result.problems.slice(0, MAX_ISSUES).map((p) => ({ code: 'XML_MALFORMED', messagePl: `Niepoprawny XML: ${p.message}`, messageEn: `Malformed XML: ${p.message}`, ...(p.line ? { line: p.line } : {}) })),
    );
  }
  if (!result.valid) {
    return invalid(
      'schema',
      result.problems.slice(0, MAX_ISSUES).map((p) => ({
        code: 'XSD_VIOLATION',
        messagePl: `Niezgodność ze schematem ${form}: ${p.message}`,
        messageEn: `Not valid against the ${form} schema: ${p.message}`,
        ...(elementOf(p.message) ? { xpath: `//${elementOf(p.message)}` } : {}),
        ...(p.line ? { line: p.line } : {}),
      })),
    );
  }

  const doc = InvoiceDocument.parse(text);
  const issues = [...nipChecksumRule(doc), ...totalsRule(doc), ...gtuCodesRule(doc), ...datesRule(doc, now), ...correctionReferenceRule(doc), ...offlineIssueRule(doc, form, offline)];
  if (issues.length) return invalid('rules', issues.slice(0, MAX_ISSUES));
  return {
    valid: true,
    form,
    contextNip: doc.text('Podmiot1', 'DaneIdentyfikacyjne', 'NIP') ?? '',
    invoiceNumber: doc.text('Fa', 'P_2') ?? '',
    invoiceType: doc.text('Fa', 'RodzajFaktury') ?? '',
    issueDate: doc.text('Fa', 'P_1') ?? '',
  };
}

function invalid(stage: 'document' | 'schema' | 'rules', issues: Issue[]): InvoiceVerdict {
  return { valid: false, stage, issues };
}

/** libxml2 names the element as `Element '{namespace}Local'`: enough for a descendant XPath when no line is exact. */
function elementOf(message: string): string | undefined {
  return /Element '(?:\{[^}]*\})?([\w.-]+)'/.exec(message)?.[1];
}
