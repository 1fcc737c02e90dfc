/**
 * The templated route of a KSeF call, for metric labels: reference numbers, KSeF numbers and other ids become
 * `{param}` so a label never carries an id (bounded cardinality, no business data in metrics).
 *
 * Known KSeF 2.0 paths are matched by pattern; any other path has every segment that contains a digit replaced by
 * `{id}` (KSeF's static path segments have none). Absolute URLs KSeF hands out (batch part uploads, UPO downloads)
 * are signed and per-call: they all become `(external)`.
 */
const TEMPLATES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/sessions\/online\/[^/]+\/invoices$/, '/sessions/online/{referenceNumber}/invoices'],
  [/^\/sessions\/online\/[^/]+\/close$/, '/sessions/online/{referenceNumber}/close'],
  [/^\/sessions\/batch\/[^/]+\/close$/, '/sessions/batch/{referenceNumber}/close'],
  [/^\/sessions\/[^/]+\/invoices\/ksef\/[^/]+\/upo$/, '/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo'],
  [/^\/sessions\/[^/]+\/invoices\/failed$/, '/sessions/{referenceNumber}/invoices/failed'],
  [/^\/sessions\/[^/]+\/invoices\/[^/]+\/upo$/, '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo'],
  [/^\/sessions\/[^/]+\/invoices\/[^/]+$/, '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}'],
  [/^\/sessions\/[^/]+\/invoices$/, '/sessions/{referenceNumber}/invoices'],
  [/^\/sessions\/[^/]+\/upo\/[^/]+$/, '/sessions/{referenceNumber}/upo/{upoReferenceNumber}'],
  [/^\/sessions\/(?!online$|batch$)[^/]+$/, '/sessions/{referenceNumber}'],
  [/^\/auth\/(?!challenge$|ksef-token$|xades-signature$|sessions$|token$)[^/]+$/, '/auth/{referenceNumber}'],
  [/^\/tokens\/[^/]+$/, '/tokens/{referenceNumber}'],
  [/^\/invoices\/ksef\/[^/]+$/, '/invoices/ksef/{ksefNumber}'],
  [/^\/invoices\/exports\/[^/]+$/, '/invoices/exports/{referenceNumber}'],
];

export function ksefRouteOf(path: string): string {
  if (/^https?:\/\//i.test(path)) return '(external)';
  const p = (path.split('?')[0] ?? '').replace(/\/+$/, '') || '/';
  for (const [pattern, template] of TEMPLATES) if (pattern.test(p)) return template;
  return p
    .split('/')
    .map((segment) => (/\d/.test(segment) ? '{id}' : segment))
    .join('/');
}
