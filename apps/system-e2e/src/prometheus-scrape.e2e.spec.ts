import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, readRuleFiles, stopProcess, waitFor, workspaceRoot } from '@ksef-bridge/testing';

// The real Prometheus (Debian's, through scripts/stack/prometheus.sh) scraping a built pipeline service and
// evaluating the repo's alert rules. A private instance (own port, folder and 1 s intervals) scrapes a service
// started here, so the test neither waits 15 s scrapes nor depends on scripts/apps.sh ports; the shared instance of
// scripts/stack/infra.sh is checked to be ours (it loaded deploy/prometheus/rules, not Debian's default config).
const root = workspaceRoot();
const script = join(root, 'scripts/stack/prometheus.sh');
const alertNames = readRuleFiles(join(root, 'deploy/prometheus/rules'))
  .filter((r) => r.kind === 'alert')
  .map((r) => r.name)
  .sort();

interface RuleGroup {
  file: string;
  rules: Array<{ name: string; type: string; health: string; lastError?: string; lastEvaluation: string }>;
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`GET ${base}${path}: HTTP ${res.status}`);
  return ((await res.json()) as { data: T }).data;
}

describe('Prometheus scrapes the services and evaluates the alert rules', () => {
  const home = mkdtempSync(join(tmpdir(), 'ksef-prometheus-'));
  let promPort: number;
  let servicePort: number;
  let service: ChildProcess;
  let prom: string;
  let output = '';
  const env = () => ({ ...process.env, PROMETHEUS_HOME: home, PROMETHEUS_PORT: String(promPort), PROMETHEUS_TARGETS: `127.0.0.1:${servicePort}`, PROMETHEUS_SCRAPE_INTERVAL: '1s' });

  beforeAll(async () => {
    const main = join(root, 'dist/apps/validator/main.js');
    if (!existsSync(main)) throw new Error(`${main} missing: build the apps first`);
    [promPort, servicePort] = [await freePort(), await freePort()];
    service = spawn(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, HTTP_PORT: String(servicePort), HTTP_HOST: '127.0.0.1', OTEL_ENABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    service.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const started = spawnSync('bash', [script, 'start'], { env: env(), encoding: 'utf8', timeout: 300_000 });
    if (started.status !== 0) throw new Error(`prometheus.sh start failed:\n${started.stdout}\n${started.stderr}`);
    prom = `http://127.0.0.1:${promPort}`;
  }, 320_000);

  afterAll(async () => {
    spawnSync('bash', [script, 'stop'], { env: env(), encoding: 'utf8', timeout: 60_000 });
    await stopProcess(service, 'SIGTERM', 15_000);
    rmSync(home, { recursive: true, force: true });
  });

  it('scrapes the service: up = 1 and the outbox series with the service label', async () => {
    const series = await waitFor(
      async () => {
        if (service.exitCode !== null) throw new Error(`validator exited with ${service.exitCode}:\n${output}`);
        const r = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(prom, `/api/v1/query?query=${encodeURIComponent('ksef_outbox_pending_events')}`);
        return r.result.length ? r.result : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'ksef_outbox_pending_events in Prometheus' },
    );
    expect(series.map((s) => [s.metric['service'], s.metric['job'], s.metric['instance']])).toEqual([['validator', 'ksef-bridge', `127.0.0.1:${servicePort}`]]);
    const up = await api<{ result: Array<{ value: [number, string] }> }>(prom, `/api/v1/query?query=${encodeURIComponent(`up{job="ksef-bridge",instance="127.0.0.1:${servicePort}"}`)}`);
    expect(up.result.map((r) => r.value[1])).toEqual(['1']);
  });

  it('loads every alert rule of deploy/prometheus/rules and evaluates it without error', async () => {
    const groups = await waitFor(
      async () => {
        const data = await api<{ groups: RuleGroup[] }>(prom, '/api/v1/rules');
        const rules = data.groups.flatMap((g) => g.rules);
        return rules.length && rules.every((r) => !r.lastEvaluation.startsWith('0001')) ? data.groups : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'every rule evaluated once' },
    );
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => r.type === 'alerting').map((r) => r.name).sort()).toEqual(alertNames);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    expect(groups.every((g) => g.file.startsWith(join(root, 'deploy/prometheus/rules')))).toBe(true);
  });

  it('the shared Prometheus of scripts/stack/infra.sh is ours (it loaded the repo rules)', async () => {
    const shared = process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090';
    const data = await api<{ groups: RuleGroup[] }>(shared, '/api/v1/rules').catch((e: Error) => {
      throw new Error(`${e.message}: is the stack up? bash scripts/stack/infra.sh up`);
    });
    expect(data.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name)).sort()).toEqual(alertNames);
  });
});
