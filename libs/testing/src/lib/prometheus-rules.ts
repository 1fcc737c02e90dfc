import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An alerting or recording rule as far as the metrics tests need it. */
export interface PrometheusRule {
  file: string;
  /** `alert` or `record` name. */
  name: string;
  kind: 'alert' | 'record';
  expr: string;
}

/**
 * Reads the rules of a Prometheus rule file (deploy/prometheus/rules/*.yml): each rule's name and `expr`, which may
 * be a plain or quoted scalar on the line, or a block scalar (`|`, `>`) on the following, more indented lines.
 * Enough YAML for rule files (promtool checks their full syntax in the static tier); not a general YAML parser.
 */
export function parseRuleFile(text: string, file = '<rules>'): PrometheusRule[] {
  const lines = text.split(/\r?\n/);
  const rules: PrometheusRule[] = [];
  let current: { name: string; kind: 'alert' | 'record' } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const named = /^\s*(?:-\s+)?(alert|record):\s*(.+?)\s*$/.exec(lines[i]);
    if (named) {
      current = { kind: named[1] as 'alert' | 'record', name: unquote(named[2]) };
      continue;
    }
    const expr = /^(\s*)(?:-\s+)?expr:\s*(.*?)\s*$/.exec(lines[i]);
    if (!expr || !current) continue;
    let value = expr[2];
    if (/^[|>][+-]?$/.test(value)) {
      const indent = expr[1].length;
      const body: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1].trim() === '' || lines[i + 1].search(/\S/) > indent)) body.push(lines[++i].trim());
      value = body.join(' ').trim();
    } else {
      value = unquote(value);
    }
    rules.push({ file, ...current, expr: value });
    current = undefined;
  }
  return rules;
}

/** A YAML flow scalar's value: double-quoted unescaped, single-quoted with '' folded, plain without its comment. */
function unquote(value: string): string {
  const v = value.trim();
  if (v.startsWith('"')) return v.slice(1, v.lastIndexOf('"')).replace(/\\(.)/g, '$1');
  if (v.startsWith("'")) return v.slice(1, v.lastIndexOf("'")).replace(/''/g, "'");
  return v.replace(/\s+#.*$/, '');
}

/** Every rule of every `*.yml`/`*.yaml` file in `dir`. */
export function readRuleFiles(dir: string): PrometheusRule[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseRuleFile(readFileSync(join(dir, f), 'utf8'), f));
}

/**
 * The `ksef_*` series names the expressions read, minus names recorded by the rules themselves (those come from
 * Prometheus, not from a service). Names inside label matchers' quoted values are not counted.
 */
export function ruleMetricNames(rules: PrometheusRule[]): string[] {
  const recorded = new Set(rules.filter((r) => r.kind === 'record').map((r) => r.name));
  const names = new Set<string>();
  for (const rule of rules) {
    const withoutStrings = rule.expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
    for (const m of withoutStrings.matchAll(/(?<![\w:])ksef_[a-zA-Z0-9_]*/g)) if (!recorded.has(m[0])) names.add(m[0]);
  }
  return [...names].sort();
}

/** Metric families declared in a Prometheus text exposition (`# TYPE <name> <type>`), name to type. */
export function exposedFamilies(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1], m[2]);
  return families;
}

/**
 * The family a series name belongs to: itself, or for `<h>_bucket|_sum|_count` a histogram/summary `<h>`.
 * Undefined when the exposition has no such family.
 */
export function familyOf(series: string, families: Map<string, string>): string | undefined {
  if (families.has(series)) return series;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (m && ['histogram', 'summary'].includes(families.get(m[1]) ?? '') && (m[2] !== 'bucket' || families.get(m[1]) === 'histogram')) return m[1];
  return undefined;
}
