import { DOMParser, onErrorStopParsing, type Element, type Node } from '@xmldom/xmldom';

/**
 * Read access to an FA(2)/FA(3) document that already passed the XSD, for the business rules: elements by local name
 * (the schema fixes the namespace), decimal values, and the XPath + line of any element so that every finding points
 * at the offending element.
 */
export class InvoiceDocument {
  private constructor(readonly root: Element) {}

  /** Parses a document the XSD already accepted (the DOCTYPE was refused before, so no entity can expand). */
  static parse(text: string): InvoiceDocument {
    const doc = new DOMParser({ locator: true, onError: onErrorStopParsing }).parseFromString(text, 'text/xml');
    const root = doc.documentElement;
    if (!root) throw new Error('document has no root element');
    return new InvoiceDocument(root);
  }

  /** The element at a path of local names below the root, e.g. `first('Fa', 'P_15')`. */
  first(...path: string[]): Element | undefined {
    return this.all(...path)[0];
  }

  /** Every element at a path of local names below `from` (default: the root). */
  all(...path: string[]): Element[] {
    return allUnder(this.root, path);
  }

  text(...path: string[]): string | undefined {
    return this.first(...path)?.textContent?.trim() || undefined;
  }
}

/** Every element at a path of local names below `from`. */
export function allUnder(from: Element, path: string[]): Element[] {
  let level: Element[] = [from];
  for (const name of path) level = level.flatMap((e) => childElements(e).filter((c) => c.localName === name));
  return level;
}

export function childElements(element: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = element.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function textOf(element: Element | undefined, ...path: string[]): string | undefined {
  if (!element) return undefined;
  const target = path.length ? allUnder(element, path)[0] : element;
  return target?.textContent?.trim() || undefined;
}

/** `/Faktura/Fa/FaWiersz[2]/P_11`: local names, with a position where siblings share the name. */
export function xpathOf(element: Element): string {
  const steps: string[] = [];
  for (let e: Element | null = element; e && e.nodeType === 1; e = e.parentNode as Element | null) {
    const parent = e.parentNode as Element | null;
    const same = parent && parent.nodeType === 1 ? childElements(parent).filter((c) => c.localName === e?.localName) : [e];
    steps.unshift(same.length > 1 ? `${e.localName}[${same.indexOf(e) + 1}]` : `${e.localName}`);
  }
  return `/${steps.join('/')}`;
}

/** A decimal amount in grosze (hundredths) as an integer, or undefined; avoids binary floating point in sums. */
export function amountInCents(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Math.round(Number(text) * 100);
}
