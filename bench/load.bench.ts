// Sustained load on the whole system (issue #8 "Load"): `bash bench/run.sh load` after `npx nx run-many -t build`.
// BENCH_LOAD_RATE invoices/s (default 20) over the HTTP and Kafka doors for BENCH_LOAD_SECONDS (default 600), rate
// limits off. Every BENCH_SAMPLE_SECONDS (10) it samples each service's resident memory (its own /metrics), the
// Kafka broker's RSS, PostgreSQL's database size and transactions, and the invoices accepted so far. Writes
// bench/results/load.json and bench/results/load.png (an SVG chart rendered by Debian's chromium, when installed).
// Measures; asserts nothing. Memory "growth" is reported as the slope of a least-squares line over the second half.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { PIPELINE_APPS, PipelineSystem } from '../apps/system-e2e/src/support/pipeline-system';
import { renderChartSvg } from './support/chart-svg';

const RATE = Number(process.env['BENCH_LOAD_RATE'] ?? 20);
const SECONDS = Number(process.env['BENCH_LOAD_SECONDS'] ?? 600);
const SAMPLE_SECONDS = Number(process.env['BENCH_SAMPLE_SECONDS'] ?? 10);
const CONTEXTS = ['5265877635', '5261040828', '7770001111'];
const run = Date.now().toString(36);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  t: number;
  accepted: number;
  rssMiB: Record<string, number>;
  dbSizeMiB: number;
  dbCommits: number;
}

const rssOf = (metrics: string) => Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20;

function kafkaRssMiB(system: PipelineSystem): number {
  // The private broker's JVM: found by its own log folder in its command line.
  const dir = system.kafka.logFile.replace(/\/[^/]+$/, '');
  const pid = execFileSync('pgrep', ['-f', dir]).toString().trim().split('\n')[0];
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function sample(system: PipelineSystem, started: number): Promise<Sample> {
  const rssMiB: Record<string, number> = {};
  for (const app of PIPELINE_APPS) rssMiB[app] = +rssOf(await system.metrics(app)).toFixed(1);
  rssMiB['kafka'] = +kafkaRssMiB(system).toFixed(1);
  const db = new Client(system.db.config);
  await db.connect();
  try {
    const [{ size, commits }] = (await db.query(`SELECT pg_database_size(current_database())::float8 / 1048576 AS size, xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = current_database()`)).rows;
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM intake.invoices WHERE state = 'ACCEPTED'`)).rows;
    return { t: Math.round((Date.now() - started) / 1000), accepted: n, rssMiB, dbSizeMiB: +Number(size).toFixed(1), dbCommits: Number(commits) };
  } finally {
    await db.end();
  }
}

/** MiB per minute over the second half of the run (after warm-up): the growth a leak would show. */
function slopePerMinute(points: Array<[number, number]>): number {
  const half = points.slice(Math.floor(points.length / 2));
  const n = half.length;
  if (n < 2) return NaN;
  const mx = half.reduce((a, [x]) => a + x, 0) / n;
  const my = half.reduce((a, [, y]) => a + y, 0) / n;
  const num = half.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = half.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return +((num / den) * 60).toFixed(2);
}

async function main(): Promise<void> {
  const system = new PipelineSystem({ contexts: CONTEXTS });
  await system.start();
  const samples: Sample[] = [];
  const latenciesMs: number[] = [];
  try {
    const started = Date.now();
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        samples.push(await sample(system, started));
        await sleep(SAMPLE_SECONDS * 1000);
      }
    })();
    const total = RATE * SECONDS;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const erpDocumentId = `LOAD-${run}-${i}`;
      const xml = buildSampleInvoice({ sellerNip: CONTEXTS[i % CONTEXTS.length], buyerNip: '7740001454', invoiceNumber: `FV/LOAD/${run}/${i}` });
      sends.push(i % 2 === 0 ? system.post(erpDocumentId, xml) : system.publishErp(erpDocumentId, xml));
    }
    await Promise.all(sends);
    const sentSeconds = (Date.now() - started) / 1000;
    await waitFor(async () => (await sample(system, started)).accepted >= total, { timeoutMs: 1_800_000, intervalMs: 2000, what: 'every invoice accepted' });
    stop = true;
    await sampler;
    samples.push(await sample(system, started));
    const rows = (await system.query(
      `SELECT extract(epoch FROM (a.at - r.at)) * 1000 AS ms FROM intake.invoices i
         JOIN intake.invoice_history r ON r.invoice_id = i.id AND r.to_state = 'RECEIVED'
         JOIN intake.invoice_history a ON a.invoice_id = i.id AND a.to_state = 'ACCEPTED'
        WHERE i.erp_document_id LIKE $1 ORDER BY 1`,
      [`LOAD-${run}-%`],
    )) as Array<{ ms: string }>;
    latenciesMs.push(...rows.map((r) => Number(r.ms)));
    const pct = (q: number) => Math.round(latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))]);
    const last = samples.at(-1)!;
    const series = [...PIPELINE_APPS, 'kafka'];
    const result = {
      benchmark: 'load',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      offered: { ratePerSecond: RATE, seconds: SECONDS, invoices: total, sentInSeconds: +sentSeconds.toFixed(1) },
      accepted: last.accepted,
      throughputPerSecond: +(last.accepted / (last.t || 1)).toFixed(1),
      latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: Math.round(latenciesMs.at(-1) ?? NaN), n: latenciesMs.length },
      memory: Object.fromEntries(series.map((s) => [s, { firstMiB: samples[0].rssMiB[s], lastMiB: last.rssMiB[s], maxMiB: Math.max(...samples.map((x) => x.rssMiB[s])), slopeMiBPerMinuteSecondHalf: slopePerMinute(samples.map((x) => [x.t, x.rssMiB[s]])) }])),
      postgres: { databaseSizeMiB: { first: samples[0].dbSizeMiB, last: last.dbSizeMiB }, commitsPerSecond: +((last.dbCommits - samples[0].dbCommits) / (last.t - samples[0].t || 1)).toFixed(1) },
      samples,
    };
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'load.json'), JSON.stringify(result, null, 2));
    const svg = renderChartSvg({ title: `ksef-bridge under ${RATE} invoices/s: resident memory (MiB) per process`, xLabel: 'seconds', series: series.map((s) => ({ name: s, points: samples.map((x) => [x.t, x.rssMiB[s]] as [number, number]) })) });
    const svgFile = join(mkdtempSync(join(tmpdir(), 'load-chart-')), 'load.svg');
    writeFileSync(svgFile, svg);
    writeFileSync(join(out, 'load.svg'), svg);
    if (existsSync('/usr/bin/chromium')) {
      execFileSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chr-'))}`, '--hide-scrollbars', '--window-size=1000,560', `--screenshot=${join(out, 'load.png')}`, `file://${svgFile}`], { stdio: 'ignore', timeout: 60_000 });
    }
    const { samples: _omitted, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await system.stop();
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
