import { DOMParser, type Element } from '@xmldom/xmldom';

/** What KOD I needs from an invoice file besides its bytes: the seller NIP and the issue date P_1. */
export interface InvoiceQrFacts {
  sellerNip: string;
  /** P_1, `YYYY-MM-DD`. */
  issueDate: string;
}

function childByLocalName(parent: Element, name: string): Element | undefined {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === name) return n as Element;
  }
  return undefined;
}

function textAt(root: Element, path: string[]): string | undefined {
  let current: Element | undefined = root;
  for (const name of path) current = current ? childByLocalName(current, name) : undefined;
  return current?.textContent?.trim() || undefined;
}

/**
 * Reads `Podmiot1/DaneIdentyfikacyjne/NIP` and `Fa/P_1` of an FA(2)/FA(3) file (by local name, whatever the namespace
 * prefix). Throws a RangeError naming what is missing, so a caller can answer precisely instead of printing a wrong code.
 */
export function invoiceQrFacts(xml: Buffer | string): InvoiceQrFacts {
  const problems: string[] = [];
  let root: Element | null = null;
  try {
    const text = typeof xml === 'string' ? xml : xml.toString('utf8');
    root = new DOMParser({ onError: (level, message) => void (level !== 'warning' && problems.push(message)) }).parseFromString(text, 'application/xml').documentElement;
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!root || problems.length > 0) throw new RangeError(`the invoice is not well-formed XML${problems[0] ? `: ${problems[0]}` : ''}`);
  const sellerNip = textAt(root, ['Podmiot1', 'DaneIdentyfikacyjne', 'NIP']);
  const issueDate = textAt(root, ['Fa', 'P_1']);
  if (!sellerNip || !/^\d{10}$/.test(sellerNip)) throw new RangeError('the invoice has no 10-digit seller NIP in Podmiot1/DaneIdentyfikacyjne/NIP');
  if (!issueDate || !/^\d{4}-\d{2}-\d{2}$/.test(issueDate)) throw new RangeError('the invoice has no issue date YYYY-MM-DD in Fa/P_1');
  return { sellerNip, issueDate };
}
