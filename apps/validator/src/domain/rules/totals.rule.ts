import type { Element } from '@xmldom/xmldom';
import { amountInCents, childElements, textOf, type InvoiceDocument } from '../invoice-document';
import { issueAt, type Issue } from '../validation-issue';

const pln = (cents: number) => (cents / 100).toFixed(2);

/** VAT rate groups of the invoice summary: which P_12 rates sum into which P_13_x (net) and P_14_x (VAT). */
const RATE_GROUPS = [
  { net: 'P_13_1', vat: 'P_14_1', rates: { '23': 0.23, '22': 0.22 } },
  { net: 'P_13_2', vat: 'P_14_2', rates: { '8': 0.08, '7': 0.07 } },
  { net: 'P_13_3', vat: 'P_14_3', rates: { '5': 0.05 } },
] as const;

/** Invoice kinds whose lines are ordinary sales lines (corrections carry before/after lines, advances an order). */
const PLAIN_KINDS = new Set(['VAT']);

/**
 * Totals consistent with line items and VAT rates:
 * - P_15 (amount due) equals the sum of the net amounts per rate (P_13_*) plus the VAT amounts (P_14_1..5);
 * - each line's net value P_11 equals quantity × unit net price (P_8B × P_9A) less a discount (P_10);
 * - for a plain VAT invoice, the lines' P_11 per rate add up to P_13_1/2/3, and P_14_x matches P_13_x × rate.
 * Tolerances of one grosz per line allow either of the two rounding methods of art. 106e ust. 10 VAT.
 */
export function totalsRule(doc: InvoiceDocument): Issue[] {
  const fa = doc.first('Fa');
  if (!fa) return [];
  const issues: Issue[] = [];
  const children = childElements(fa);
  const components = children.filter((e) => /^P_13_\d+(_\d+)?$/.test(e.localName ?? '') || /^P_14_[1-5]$/.test(e.localName ?? ''));
  const p15 = children.find((e) => e.localName === 'P_15');
  const p15Cents = amountInCents(textOf(p15));
  if (p15 && p15Cents !== undefined && components.length > 0) {
    const sum = components.reduce((acc, e) => acc + (amountInCents(textOf(e)) ?? 0), 0);
    if (Math.abs(sum - p15Cents) > components.length) {
      issues.push(
        issueAt(
          p15,
          'TOTAL_DUE_MISMATCH',
          `Kwota należności ogółem P_15 (${pln(p15Cents)}) nie jest równa sumie kwot netto i VAT (${pln(sum)})`,
          `Total due P_15 (${pln(p15Cents)}) does not equal the sum of net and VAT amounts (${pln(sum)})`,
        ),
      );
    }
  }

  const lines = children.filter((e) => e.localName === 'FaWiersz');
  for (const line of lines) issues.push(...lineNetIssues(line));

  if (PLAIN_KINDS.has(textOf(fa, 'RodzajFaktury') ?? '') && lines.length > 0 && lines.every((l) => textOf(l, 'P_11') !== undefined)) {
    for (const group of RATE_GROUPS) {
      const inGroup = lines.filter((l) => (textOf(l, 'P_12') ?? '') in group.rates);
      const netElement = children.find((e) => e.localName === group.net);
      const declaredNet = amountInCents(textOf(netElement));
      const linesNet = inGroup.reduce((acc, l) => acc + (amountInCents(textOf(l, 'P_11')) ?? 0), 0);
      if (inGroup.length === 0 && declaredNet === undefined) continue;
      if (Math.abs((declaredNet ?? 0) - linesNet) > Math.max(1, inGroup.length)) {
        issues.push(
          issueAt(
            netElement ?? fa,
            'NET_TOTAL_MISMATCH',
            `${group.net} (${pln(declaredNet ?? 0)}) nie jest równe sumie wartości netto wierszy ze stawką ${Object.keys(group.rates).join('/')}% (${pln(linesNet)})`,
            `${group.net} (${pln(declaredNet ?? 0)}) does not equal the sum of line net values at ${Object.keys(group.rates).join('/')}% (${pln(linesNet)})`,
          ),
        );
        continue;
      }
      const rates = new Set(inGroup.map((l) => textOf(l, 'P_12') as keyof typeof group.rates));
      const vatElement = children.find((e) => e.localName === group.vat);
      const declaredVat = amountInCents(textOf(vatElement));
      if (rates.size !== 1 || declaredNet === undefined) continue;
      const rate = group.rates[[...rates][0]] as number;
      const expectedVat = Math.round(declaredNet * rate);
      if (Math.abs((declaredVat ?? 0) - expectedVat) > Math.max(1, inGroup.length)) {
        issues.push(
          issueAt(
            vatElement ?? netElement,
            'VAT_AMOUNT_MISMATCH',
            `${group.vat} (${pln(declaredVat ?? 0)}) nie odpowiada stawce ${rate * 100}% od ${pln(declaredNet)} (oczekiwano ${pln(expectedVat)})`,
            `${group.vat} (${pln(declaredVat ?? 0)}) does not match ${rate * 100}% of ${pln(declaredNet)} (expected ${pln(expectedVat)})`,
          ),
        );
      }
    }
  }
  return issues;
}

function lineNetIssues(line: Element): Issue[] {
  const quantity = textOf(line, 'P_8B');
  const unitNet = textOf(line, 'P_9A');
  const netElement = childElements(line).find((e) => e.localName === 'P_11');
  const net = amountInCents(textOf(netElement));
  if (quantity === undefined || unitNet === undefined || net === undefined || !netElement) return [];
  const discount = amountInCents(textOf(line, 'P_10')) ?? 0;
  const expected = Math.round(Number(quantity) * Number(unitNet) * 100) - discount;
  if (Math.abs(expected - net) <= 1) return [];
  return [
    issueAt(
      netElement,
      'LINE_NET_MISMATCH',
      `Wartość netto wiersza P_11 (${pln(net)}) nie jest równa ilości × cena jednostkowa netto${discount ? ' − rabat' : ''} (${pln(expected)})`,
      `Line net value P_11 (${pln(net)}) does not equal quantity × unit net price${discount ? ' − discount' : ''} (${pln(expected)})`,
    ),
  ];
}
