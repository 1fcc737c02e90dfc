import type { Element } from '@xmldom/xmldom';
import { xpathOf } from './invoice-document';

/** One finding: stable code, Polish and English message, where it is. Same shape as the contracts' issue. */
export interface Issue {
  code: string;
  messagePl: string;
  messageEn: string;
  xpath?: string;
  line?: number;
}

export function issueAt(element: Element | undefined, code: string, messagePl: string, messageEn: string): Issue {
  if (!element) return { code, messagePl, messageEn };
  const line = (element as Element & { lineNumber?: number }).lineNumber;
  return { code, messagePl, messageEn, xpath: xpathOf(element), ...(line ? { line } : {}) };
}
