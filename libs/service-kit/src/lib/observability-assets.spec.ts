import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuleFiles, ruleMetricNames, workspaceRoot } from '@ksef-bridge/testing';

// The deploy/ observability assets against the code: the Grafana dashboard shows only metric families the services
// declare and has a panel for each of them, docs/observability.md lists the same families and every alert, and each
// alert of the three levels carries severity, level, summary, description and a runbook link.
const root = workspaceRoot();
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/ksef-bridge-metrics.json'), 'utf8')) as {
  uid: string;
  panels: Array<{ id: number; type: string; title: string; datasource?: { type: string; uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: Array<{ expr: string }> }>;
};
const docs = readFileSync(join(root, 'docs/observability.md'), 'utf8');
const rulesDir = join(root, 'deploy/prometheus/rules');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.spec\.ts$/.test(name) && !path.includes('/test/') ? [path] : [];
  });
}

/**
 * Families declared in the services' code: the `'ksef_…'` literal given as `name:` to a prom-client constructor or as
 * the name argument of `getOrCreateMetric(registry, …)` and of the apps' small `gauge(…)`/`counter(…)` helpers.
 */
const declared = new Set(
  ['apps', 'libs']
    .flatMap((d) => sourceFiles(join(root, d)))
    .filter((f) => !f.includes('ksef-simulator'))
    .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:name:\s*|(?:getOrCreateMetric|gauge|counter|histogram)\(\s*(?:\w+,\s*)?)'(ksef_[a-z0-9_]+)'/g)].map((m) => m[1])),
);

const family = (series: string) => (declared.has(series) ? series : series.replace(/_(bucket|sum|count)$/, ''));
const panels = dashboard.panels.filter((p) => p.type !== 'row' && p.type !== 'text');
const names = (expr: string) => [...expr.matchAll(/(?<![\w:])ksef_[a-z0-9_]+/g)].map((m) => m[0]);
const panelFamilies = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => names(t.expr).map(family))));
/** Families named in docs/observability.md's tables: rows starting with | `ksef_…`. */
const documented = new Set([...docs.matchAll(/^\|\s*`(ksef_[a-z0-9_]+)/gm)].map((m) => m[1]));

describe('observability assets', () => {
  it('the code declares the families this test reads (otherwise it would check nothing)', () => {
    expect(declared.size).toBeGreaterThan(30);
    expect(panels.length).toBeGreaterThan(20);
  });

  it('every panel queries the provisioned Prometheus datasource and only declared families', () => {
    const provisioned = readFileSync(join(root, 'deploy/grafana/provisioning/datasources/datasources.yml'), 'utf8');
    expect(provisioned).toMatch(/uid: prometheus\s/);
    for (const p of panels) {
      expect({ panel: p.title, ds: p.datasource }).toEqual({ panel: p.title, ds: { type: 'prometheus', uid: 'prometheus' } });
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
      for (const t of p.targets ?? []) expect({ panel: p.title, unknown: names(t.expr).filter((n) => !declared.has(family(n))) }).toEqual({ panel: p.title, unknown: [] });
    }
  });

  it('has a panel for every family documented in docs/observability.md, and documents only declared families', () => {
    expect(documented.size).toBeGreaterThan(30);
    expect([...documented].filter((n) => !panelFamilies.has(n))).toEqual([]);
    expect([...documented].filter((n) => !declared.has(n))).toEqual([]);
  });

  it('documents every family the alert rules and the dashboard read', () => {
    const rules = readRuleFiles(rulesDir);
    const read = new Set([...ruleMetricNames(rules).map(family), ...panelFamilies]);
    expect([...read].filter((n) => !documented.has(n))).toEqual([]);
    // A section of its own (the runbook anchor) or a row of the older rules' table.
    expect(rules.filter((r) => r.kind === 'alert' && !docs.includes(`### ${r.name}\n`) && !docs.includes(`| \`${r.name}\` |`)).map((r) => r.name)).toEqual([]);
  });

  it('panels do not overlap and have unique ids', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect({ panel: p.title, cell: `${x},${y}`, taken: cells.has(`${x},${y}`) }).toEqual({ panel: p.title, cell: `${x},${y}`, taken: false });
          cells.add(`${x},${y}`);
        }
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it.each(['technical.yml', 'business.yml', 'regulatory.yml'])('every alert in %s has severity, level, summary, description and a runbook link', (file) => {
    const text = readFileSync(join(rulesDir, file), 'utf8');
    const level = file.replace('.yml', '');
    const blocks = text.split(/\n\s*- alert: /).slice(1);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const name = block.split('\n')[0]!.trim();
      const anchor = /runbook_url: "docs\/observability\.md#([a-z0-9-]+)"/.exec(block)?.[1];
      expect({ name, severity: /severity: (critical|warning)/.test(block), level: block.includes(`level: ${level}`), summary: /summary: "/.test(block), description: /description: "/.test(block), anchor }).toEqual({
        name,
        severity: true,
        level: true,
        summary: true,
        description: true,
        anchor: name.toLowerCase(),
      });
    }
  });

  const promtool = (() => {
    try {
      execFileSync('promtool', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // promtool comes with the Debian `prometheus` package (scripts/stack/prometheus.sh installs it).
  (promtool ? it : it.skip)('the alert unit tests pass (promtool test rules deploy/prometheus/rules/tests)', () => {
    const tests = readdirSync(join(rulesDir, 'tests')).filter((f) => f.endsWith('.test.yml'));
    expect(tests.length).toBeGreaterThan(0);
    for (const t of tests) expect(() => execFileSync('promtool', ['test', 'rules', join(rulesDir, 'tests', t)], { stdio: 'pipe' })).not.toThrow();
  });

  (promtool ? it : it.skip)('every panel query is valid PromQL (promtool, as a rule file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    try {
      const rules = panels.flatMap((p, i) => (p.targets ?? []).map((t, j) => `      - record: panel_${i}_${j}\n        expr: ${JSON.stringify(t.expr)}`));
      writeFileSync(join(dir, 'panels.yml'), `groups:\n  - name: panels\n    rules:\n${rules.join('\n')}\n`);
      expect(() => execFileSync('promtool', ['check', 'rules', join(dir, 'panels.yml')], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
