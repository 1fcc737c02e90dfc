import type { HistoryEntry } from './api';
import { useT } from './i18n';

interface Issue { code: string; messagePl?: string; messageEn?: string; xpath?: string; line?: number }

/** Every problem the pipeline recorded, in the accountant's words: validation issues and KSeF's refusals. */
export function problemsOf(history: HistoryEntry[]): Issue[] {
  const out: Issue[] = [];
  for (const h of history) {
    const d = (h.details ?? {}) as Record<string, unknown>;
    if (Array.isArray(d['issues'])) out.push(...(d['issues'] as Issue[]));
    else if (h.to === 'REJECTED') {
      const inner = Array.isArray(d['details']) ? (d['details'] as string[]).join('; ') : '';
      const text = [d['description'], inner].filter(Boolean).join(' — ') || h.errorCode || 'KSeF';
      out.push({ code: h.errorCode ?? 'KSEF_REJECTED', messagePl: `KSeF odrzucił fakturę: ${text}`, messageEn: `KSeF rejected the invoice: ${text}` });
    } else if (h.to === 'ESCALATED') {
      const text = String(d['message'] ?? h.errorCode ?? '');
      out.push({ code: h.errorCode ?? 'ESCALATED', messagePl: `Wysyłka wstrzymana, potrzebna decyzja operatora: ${text}`, messageEn: `Sending stopped, an operator must decide: ${text}` });
    }
  }
  return out;
}

/**
 * The element an XPath like `/Faktura/Podmiot2/DaneIdentyfikacyjne/NIP` or `/Faktura/Fa/FaWiersz[2]/P_11` names, found
 * by local names (the document's default namespace makes plain XPath evaluation miss), serialized with its parent.
 */
export function elementAt(xml: string, xpath: string): string | undefined {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return undefined;
  let node: Element | null = null;
  for (const step of xpath.split('/').filter(Boolean)) {
    const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(step);
    if (!m) return undefined;
    const [, name, index] = m;
    const candidates: Element[] = node ? Array.from(node.children).filter((c) => c.localName === name) : doc.documentElement.localName === name ? [doc.documentElement] : [];
    node = candidates[Number(index ?? 1) - 1] ?? null;
    if (!node) return undefined;
  }
  const shown = node?.parentElement ?? node;
  return shown ? new XMLSerializer().serializeToString(shown).replace(/ xmlns="[^"]*"/g, '') : undefined;
}

/** Lines around `line` of the document, the offending one marked. */
function excerpt(xml: string, line: number): Array<{ n: number; text: string; hit: boolean }> {
  const lines = xml.split('\n');
  const from = Math.max(1, line - 2);
  return lines.slice(from - 1, line + 2).map((text, i) => ({ n: from + i, text, hit: from + i === line }));
}

/** States whose problems are current; for the others (e.g. accepted after a retry) the history keeps the record. */
const PROBLEM_STATES = new Set(['INVALID', 'REJECTED', 'ESCALATED', 'TECHNICAL_ERROR']);

export function Validation({ history, xml, state }: { history: HistoryEntry[]; xml?: string; state: string }) {
  const { t, lang } = useT();
  const issues = PROBLEM_STATES.has(state) ? problemsOf(history) : [];
  if (!issues.length) return <p data-testid="no-problems">{t.noProblems}</p>;
  return (
    <ul className="issues" data-testid="validation">
      {issues.map((issue, i) => (
        <li key={i}>
          <p className="issue-text">{(lang === 'pl' ? issue.messagePl : issue.messageEn) ?? issue.messagePl ?? issue.code}</p>
          <p className="muted"><code>{issue.code}</code>{issue.xpath && <> · {t.where}: <code>{issue.xpath}</code></>}{issue.line && <> · {t.line} {issue.line}</>}</p>
          {xml && issue.xpath && elementAt(xml, issue.xpath) ? (
            <pre className="excerpt"><div className="hit">{elementAt(xml, issue.xpath)}</div></pre>
          ) : xml && issue.line && (
            <pre className="excerpt">{excerpt(xml, issue.line).map((l) => <div key={l.n} className={l.hit ? 'hit' : ''}>{String(l.n).padStart(4)}  {l.text}</div>)}</pre>
          )}
        </li>
      ))}
    </ul>
  );
}
