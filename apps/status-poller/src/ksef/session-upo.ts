import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { checkUpo, checkUpoSchema } from './upo-check';

/** One invoice's receipt taken from a session UPO page. */
export interface SessionUpoEntry {
  /** A UPO v4-3 document of this invoice alone: the page's header (session, context, page) and the invoice's `Dokument`. */
  xml: string;
  /** `DataNadaniaNumeruKSeF` of the entry (ISO). */
  acquisitionDate?: string;
  /** The page the entry was read from (its UPO reference number). */
  upoReferenceNumber: string;
}

export type SessionUpoParse = { valid: true; entries: Map<string, SessionUpoEntry> } | { valid: false; problem: string };

const KSEF_NUMBER = /<(?:[\w.-]+:)?NumerKSeFDokumentu>\s*([^<\s]+)\s*</;
const SESSION_REFERENCE = /<(?:[\w.-]+:)?NumerReferencyjnySesji>\s*([^<\s]+)\s*</;

/**
 * Splits validated session UPO page(s) into one document per invoice, keyed by KSeF number.
 *
 * Every page is first validated against the UPO v4-3 XSD (TE's receiver-name deviation tolerated, as for invoice
 * UPOs) and must be the UPO of `sessionReferenceNumber`. The schema has no per-invoice reference number or hash
 * lookup beyond `NumerKSeFDokumentu` (unique per document, `xsd:unique`) and `SkrotDokumentu`; the KSeF number is
 * what the poller knows from the verdict, so entries are matched by it. Each invoice's document is the page's
 * header + its own `Dokument` + the closing tag: the same shape as KSeF's per-invoice UPO (which is the header and
 * one `Dokument`), schema-valid on its own (re-checked per invoice with `checkUpo`), and a few hundred bytes instead
 * of the page's megabytes, so the event and the result row stay the size they were.
 */
export function parseSessionUpo(validator: KsefXmlValidator, sessionReferenceNumber: string, pages: readonly { upoReferenceNumber: string; xml: string }[]): SessionUpoParse {
  const entries = new Map<string, SessionUpoEntry>();
  for (const page of pages) {
    const schema = checkUpoSchema(validator, page.xml);
    if (!schema.valid) return { valid: false, problem: `session UPO page ${page.upoReferenceNumber}: ${schema.problem}` };
    const session = SESSION_REFERENCE.exec(page.xml)?.[1];
    if (session !== sessionReferenceNumber) return { valid: false, problem: `session UPO page ${page.upoReferenceNumber} is the UPO of session ${session ?? '?'}, not of ${sessionReferenceNumber}` };
    const root = /<([\w.-]+:)?Potwierdzenie[\s>]/.exec(page.xml);
    const prefix = root?.[1] ?? '';
    const open = new RegExp(`<${escapeRe(prefix)}Dokument>`, 'g');
    const close = `</${prefix}Dokument>`;
    const first = page.xml.search(open);
    if (!root || first < 0) return { valid: false, problem: `session UPO page ${page.upoReferenceNumber} lists no document` };
    const head = page.xml.slice(0, first);
    const tail = `</${prefix}Potwierdzenie>`;
    let match: RegExpExecArray | null;
    while ((match = open.exec(page.xml)) !== null) {
      const end = page.xml.indexOf(close, match.index);
      if (end < 0) return { valid: false, problem: `session UPO page ${page.upoReferenceNumber}: unterminated Dokument` };
      const entry = page.xml.slice(match.index, end + close.length);
      const ksefNumber = KSEF_NUMBER.exec(entry)?.[1];
      if (ksefNumber) entries.set(ksefNumber, { xml: head + entry + tail, upoReferenceNumber: page.upoReferenceNumber });
      open.lastIndex = end + close.length;
    }
  }
  return { valid: true, entries };
}

/**
 * The UPO evidence of one invoice from a parsed session UPO: its own document, checked again like an invoice UPO
 * (schema + names `ksefNumber`). Undefined when the session UPO does not list the invoice.
 */
export function sessionUpoEntryFor(validator: KsefXmlValidator, entries: Map<string, SessionUpoEntry>, ksefNumber: string): { xml: string; acquisitionDate?: string } | { problem: string } | undefined {
  const entry = entries.get(ksefNumber);
  if (!entry) return undefined;
  const check = checkUpo(validator, entry.xml, ksefNumber);
  if (!check.valid) return { problem: check.problem };
  return { xml: entry.xml, acquisitionDate: check.acquisitionDate };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
