/**
 * Pure checks of the scale-out e2e, kept apart so their own unit test shows they can fail.
 */

/** One row of sender.send_attempts with its job's context. */
export interface AttemptWindow {
  contextNip: string;
  invoiceId: string;
  startedAt: Date;
  finishedAt: Date;
  /** Shown in a problem line (e.g. the attempt's outcome and error code). */
  detail?: string;
}

/**
 * The sender leases a context to one instance at a time, and that instance sends the context's jobs one after
 * another; so, per context, no two attempts may run at the same time. Two owners sending for one context would show
 * as attempts whose [started_at, finished_at] windows overlap. `toleranceMs` absorbs the clock precisions (started_at
 * is a JavaScript Date in milliseconds, finished_at PostgreSQL's clock_timestamp() in microseconds).
 * Returns a readable line per overlap (empty: consistent with one owner at a time).
 */
export function overlappingAttempts(attempts: readonly AttemptWindow[], toleranceMs = 1): string[] {
  const byContext = new Map<string, AttemptWindow[]>();
  for (const a of attempts) byContext.set(a.contextNip, [...(byContext.get(a.contextNip) ?? []), a]);
  const problems: string[] = [];
  for (const [nip, list] of byContext) {
    const sorted = [...list].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    // Against the latest end so far, not only the previous row: a long attempt can cover several later ones.
    let latest: AttemptWindow | undefined;
    for (const a of sorted) {
      if (latest && a.startedAt.getTime() + toleranceMs < latest.finishedAt.getTime()) {
        const what = (w: AttemptWindow) => `${w.invoiceId} [${w.startedAt.toISOString()} .. ${w.finishedAt.toISOString()}]${w.detail ? ` ${w.detail}` : ''}`;
        problems.push(`${nip}: attempt of ${what(a)} started while that of ${what(latest)} ran`);
      }
      if (!latest || a.finishedAt.getTime() > latest.finishedAt.getTime()) latest = a;
    }
  }
  return problems;
}

/** Sum of one metric family's samples in a Prometheus text exposition (every label set), 0 when absent. */
export function metricSum(exposition: string, family: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] === family) sum += Number(match[3]);
  }
  return sum;
}
