import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exposedFamilies, familyOf, freePort, readRuleFiles, ruleMetricNames, stopProcess, waitFor, workspaceRoot } from '@ksef-bridge/testing';

// The alert rules in deploy/prometheus/rules read series by name; nothing but this test ties those names to the
// code that exports them. Every built pipeline service is started (dist/apps/<app>/main.js, real Kafka and
// PostgreSQL) and scraped; each `ksef_*` name an expression reads must be a family the services declare. Platform
// families (ksef_outbox_*, ksef_consumer_*, libs/service-kit platform-metrics.ts) must be in every pipeline service;
// any other name in at least one. Families are matched by their `# TYPE` line: a labelled counter has no series
// before its first increment, but prom-client declares it from registration on.
const root = workspaceRoot();
const PIPELINE = ['intake', 'validator', 'sender', 'status-poller', 'notifier'];
const PLATFORM = /^ksef_(outbox|consumer)_/;
const rules = readRuleFiles(join(root, 'deploy/prometheus/rules'));
const names = ruleMetricNames(rules);

interface Running {
  name: string;
  port: number;
  child: ChildProcess;
  output: () => string;
}

async function startService(name: string): Promise<Running> {
  const main = join(root, 'dist/apps', name, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: build the apps first (npx nx run-many -t build)`);
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { ...process.env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_ENABLED: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { name, port, child, output: () => output };
}

async function scrape(service: Running): Promise<string> {
  // /metrics answers once Nest listens, which is after onModuleInit registered the platform metrics.
  return waitFor(
    async () => {
      if (service.child.exitCode !== null) throw new Error(`${service.name} exited with ${service.child.exitCode}:\n${service.output()}`);
      const res = await fetch(`http://127.0.0.1:${service.port}/metrics`);
      return res.status === 200 ? res.text() : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `${service.name} /metrics` },
  );
}

describe('alert rules read metrics the services export', () => {
  const services: Running[] = [];
  const expositions = new Map<string, string>();

  beforeAll(async () => {
    for (const name of PIPELINE) services.push(await startService(name));
    for (const s of services) expositions.set(s.name, await scrape(s));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => stopProcess(s.child, 'SIGTERM', 15_000)));
  });

  it('the rules read ksef_ metrics (otherwise this test would check nothing)', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(PIPELINE)('%s declares every platform family the rules read', (service) => {
    const families = exposedFamilies(expositions.get(service) ?? '');
    expect(names.filter((n) => PLATFORM.test(n) && !familyOf(n, families))).toEqual([]);
  });

  it('every other ksef_ name the rules read is exported by some pipeline service', () => {
    const all = [...expositions.values()].map(exposedFamilies);
    expect(names.filter((n) => !PLATFORM.test(n) && !all.some((f) => familyOf(n, f)))).toEqual([]);
  });

  it('the outbox gauges the rules compare against thresholds carry a value and the service label', () => {
    // `max by (service) (...)` needs a sample with a `service` label; a declared but empty gauge would never alert.
    for (const [service, text] of expositions) {
      for (const n of names.filter((x) => exposedFamilies(text).get(x) === 'gauge')) {
        expect({ service, n, line: new RegExp(`^${n}\\{service="${service}"\\} \\d`, 'm').test(text) }).toEqual({ service, n, line: true });
      }
    }
  });
});
