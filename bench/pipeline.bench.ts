// The whole pipeline on this machine, as built processes (intake, validator, sender, status-poller, notifier, the
// simulator as KSeF, a private Kafka, the local PostgreSQL): `bash bench/run.sh pipeline` after
// `npx nx run-many -t build`. Writes bench/results/pipeline.json. Measures; asserts nothing.
//
// 1. throughput: BENCH_INVOICES (default 3,000) published at once on the Kafka door, rate limits off; invoices/s from
//    the first publish to the last ACCEPTED.
// 2. latency: BENCH_RATE invoices/s (default 20) over the HTTP door for BENCH_LATENCY_SECONDS (default 30);
//    p50/p90/p99 from intake's own history (RECEIVED → ACCEPTED).
// 3. production limits: a fresh system with the published production limits on both sides (sender's limiter and
//    the simulator), a backlog of BENCH_PROD_BACKLOG (default 2,000) invoices for one context, observed for
//    BENCH_PROD_SECONDS (default 120): accepted invoices, 429s the simulator answered, projected per hour.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem } from '../apps/system-e2e/src/support/pipeline-system';

const INVOICES = Number(process.env['BENCH_INVOICES'] ?? 3000);
const RATE = Number(process.env['BENCH_RATE'] ?? 20);
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 30);
const PROD_BACKLOG = Number(process.env['BENCH_PROD_BACKLOG'] ?? 2000);
const PROD_SECONDS = Number(process.env['BENCH_PROD_SECONDS'] ?? 120);
const CONTEXT = '5265877635';
const run = Date.now().toString(36);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const invoiceXml = (n: string) => buildSampleInvoice({ sellerNip: CONTEXT, buyerNip: '7740001454', invoiceNumber: `FV/${run}/${n}` });

async function countAccepted(system: PipelineSystem, prefix: string): Promise<number> {
  const [row] = (await system.query(`SELECT count(*)::int AS n FROM intake.invoices WHERE state = 'ACCEPTED' AND erp_document_id LIKE $1`, [`${prefix}%`])) as Array<{ n: number }>;
  return row.n;
}

async function latencies(system: PipelineSystem, prefix: string): Promise<{ p50: number; p90: number; p99: number; max: number; n: number }> {
  const rows = (await system.query(
    `SELECT extract(epoch FROM (a.at - r.at)) * 1000 AS ms
       FROM intake.invoices i
       JOIN intake.invoice_history r ON r.invoice_id = i.id AND r.to_state = 'RECEIVED'
       JOIN intake.invoice_history a ON a.invoice_id = i.id AND a.to_state = 'ACCEPTED'
      WHERE i.erp_document_id LIKE $1 ORDER BY 1`,
    [`${prefix}%`],
  )) as Array<{ ms: string }>;
  const ms = rows.map((r) => Number(r.ms));
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(ms.at(-1) ?? NaN), n: ms.length };
}

async function rateLimited(system: PipelineSystem): Promise<number> {
  const text = await (await fetch(`${system.simulator.origin}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('ksef_sim_rate_limited_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function throughputAndLatency(): Promise<Record<string, unknown>> {
  const system = new PipelineSystem({ contexts: [CONTEXT], env: { sender: { SENDER_POLL_INTERVAL_MS: '50' } } });
  await system.start();
  try {
    const prefix = `T-${run}-`;
    const started = performance.now();
    for (let i = 0; i < INVOICES; i += 200) {
      await Promise.all([...Array(Math.min(200, INVOICES - i))].map((_, k) => system.publishErp(`${prefix}${i + k}`, invoiceXml(`T${i + k}`))));
    }
    const publishedMs = performance.now() - started;
    await waitFor(async () => (await countAccepted(system, prefix)) === INVOICES, { timeoutMs: 3_600_000, intervalMs: 1000, what: 'all accepted' });
    const elapsedMs = performance.now() - started;
    const throughput = { invoices: INVOICES, publishSeconds: +(publishedMs / 1000).toFixed(1), seconds: +(elapsedMs / 1000).toFixed(1), invoicesPerSecond: +(INVOICES / (elapsedMs / 1000)).toFixed(1), latencyMs: await latencies(system, prefix) };
    console.log('throughput', throughput);

    const lprefix = `L-${run}-`;
    const total = RATE * LATENCY_SECONDS;
    const t0 = performance.now();
    const posts: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      posts.push(system.post(`${lprefix}${i}`, invoiceXml(`L${i}`)));
    }
    await Promise.all(posts);
    await waitFor(async () => (await countAccepted(system, lprefix)) === total, { timeoutMs: 600_000, intervalMs: 1000, what: 'latency run accepted' });
    const latency = { ratePerSecond: RATE, seconds: LATENCY_SECONDS, invoices: total, latencyMs: await latencies(system, lprefix) };
    console.log('latency', latency);
    return { throughput, latency };
  } finally {
    await system.stop();
  }
}

async function productionLimits(): Promise<Record<string, unknown>> {
  const system = new PipelineSystem({
    contexts: [CONTEXT],
    simulatorEnv: { SIM_RATE_LIMITS: 'production' },
    env: { sender: { KSEF_RATE_LIMITS: 'production' }, 'status-poller': { KSEF_RATE_LIMITS: 'production' } },
  });
  await system.start();
  try {
    const prefix = `P-${run}-`;
    for (let i = 0; i < PROD_BACKLOG; i += 200) {
      await Promise.all([...Array(Math.min(200, PROD_BACKLOG - i))].map((_, k) => system.publishErp(`${prefix}${i + k}`, invoiceXml(`P${i + k}`))));
    }
    const started = performance.now();
    await sleep(PROD_SECONDS * 1000);
    const seconds = (performance.now() - started) / 1000;
    const accepted = await countAccepted(system, prefix);
    const modes = (await system.query(`SELECT coalesce(h.details->>'mode', 'online') AS mode, count(*)::int AS n FROM intake.invoice_history h JOIN intake.invoices i ON i.id = h.invoice_id WHERE h.to_state = 'SENT' AND i.erp_document_id LIKE $1 GROUP BY 1`, [`${prefix}%`])) as Array<{ mode: string; n: number }>;
    return {
      backlog: PROD_BACKLOG,
      observedSeconds: Math.round(seconds),
      accepted,
      sentByMode: Object.fromEntries(modes.map((m) => [m.mode, m.n])),
      rateLimited429: await rateLimited(system),
      // A projection, not a measurement of a full hour: the published hourly limits (invoiceSend 180/h, batchSession
      // 60/h with up to 10,000 invoices each) bound what an hour can hold.
      projectedInvoicesPerHourPerContext: Math.round((accepted / seconds) * 3600),
    };
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  const result = {
    benchmark: 'pipeline',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    ...(await throughputAndLatency()),
    productionLimits: await productionLimits(),
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'pipeline.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
