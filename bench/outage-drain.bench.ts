// Outage drain: KSeF (the simulator) goes down, BENCH_OUTAGE_INVOICES invoices are queued through the whole pipeline
// meanwhile (Kafka door → intake → validator → sender, QUEUED), KSeF comes back, and we measure how the backlog
// drains: time to SENT (sender), to accepted by KSeF (the simulator's verdicts) and the bridge's ACCEPTED rate (intake), the share sent in batch sessions, 429s, the order (oldest
// first) and that KSeF holds each invoice exactly once. Published production limits on both sides (sender limiter
// and simulator). `bash bench/run.sh outage-drain` after `npx nx run-many -t build`; writes
// bench/results/outage-drain.json. Measures; exits non-zero only if an invoice is missing or duplicated in KSeF.
// Default 20,000 invoices: on the 2-core machine, taking 100,000 in (intake + validator, ~130/s under load) alone
// takes longer than 15 minutes; BENCH_OUTAGE_INVOICES=100000 runs the target (docs/offline-mode.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { TOPICS, topicSpecsOf } from '@ksef-bridge/contracts';
import { createKafka, TopicAdmin } from '@ksef-bridge/kafka';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { Client } from 'pg';
import { waitFor } from '@ksef-bridge/testing';
import { PipelineSystem } from '../apps/system-e2e/src/support/pipeline-system';

const INVOICES = Number(process.env['BENCH_OUTAGE_INVOICES'] ?? 20_000);
const WATCH_ACCEPTED_MS = Number(process.env['BENCH_OUTAGE_WATCH_ACCEPTED_S'] ?? 60) * 1000;
const BATCH_MAX = process.env['BENCH_OUTAGE_BATCH_MAX_INVOICES'] ?? '10000';
const CONTEXT = '5265877635';
const run = Date.now().toString(36);
const prefix = `O-${run}-`;

const seconds = (ms: number) => +(ms / 1000).toFixed(1);
const t0 = performance.now();
const log = (what: string) => console.log(`[${seconds(performance.now() - t0)} s] ${what}`);
const invoiceXml = (n: number) => buildSampleInvoice({ sellerNip: CONTEXT, buyerNip: '7740001454', invoiceNumber: `FV/${run}/${n}` });

async function count(system: PipelineSystem, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await system.query(sql, params)) as Array<{ n: number }>;
  return row.n;
}

async function simulatorCounter(system: PipelineSystem, name: string): Promise<number> {
  const text = await (await fetch(`${system.simulator.origin}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function simulatorCount(system: PipelineSystem, sql: string): Promise<number> {
  const client = new Client(system.simulator.database.config);
  await client.connect();
  try {
    return ((await client.query(sql)).rows[0] as { n: number }).n;
  } finally {
    await client.end();
  }
}

async function availability(system: PipelineSystem): Promise<string> {
  const res = await fetch(`${system.urls.sender}/v1/ksef/availability`).catch(() => undefined);
  return res?.ok ? ((await res.json()) as { state: string }).state : 'UNREACHABLE';
}

async function main(): Promise<void> {
  const system = new PipelineSystem({
    contexts: [CONTEXT],
    simulatorEnv: { SIM_RATE_LIMITS: 'production' },
    env: {
      sender: {
        KSEF_RATE_LIMITS: 'production',
        SENDER_POLL_INTERVAL_MS: '50',
        SENDER_BREAKER_FAILURES: '3',
        SENDER_BREAKER_OPEN_MS: '5000',
        SENDER_BATCH_MAX_INVOICES: BATCH_MAX,
        SENDER_BATCH_MAX_BYTES: '200000000',
        SENDER_AVAILABILITY_PROBE_INTERVAL_MS: '2000',
        SENDER_AVAILABILITY_DEGRADED_AFTER_MS: '2000',
        SENDER_AVAILABILITY_CONFIRM_MS: '10000',
        SENDER_AVAILABILITY_RECOVER_MS: '2000',
      },
      // Per-invoice UPO reads are limited to 120/min per context: a batch invoice is announced ACCEPTED with its UPO
      // pending after POLLER_UPO_WAIT_MS (10 min by default), shortened here so the drain ends with the verdicts.
      'status-poller': { KSEF_RATE_LIMITS: 'production', POLLER_UPO_WAIT_MS: process.env['BENCH_OUTAGE_UPO_WAIT_MS'] ?? '20000' },
    },
  });
  await system.start();
  try {
    const availabilityTopics = [TOPICS.ksefAvailabilityChanged, TOPICS.notificationKsefAvailabilityChanged];
    await new TopicAdmin(createKafka({ brokers: system.kafka.brokers, clientId: 'outage-bench' })).ensureTopics(topicSpecsOf(availabilityTopics));
    const events = await system.collect(...availabilityTopics);
    await waitFor(async () => (await availability(system)) === 'AVAILABLE', { timeoutMs: 60_000, intervalMs: 500, what: 'KSeF AVAILABLE before the outage' });

    const outageStart = performance.now();
    await system.simulatorAdmin('faults', { type: 'outage', durationMs: 24 * 3_600_000 });
    for (let i = 0; i < INVOICES; i += 500) {
      await Promise.all([...Array(Math.min(500, INVOICES - i))].map((_, k) => system.publishErp(`${prefix}${i + k}`, invoiceXml(i + k))));
    }
    const publishedMs = performance.now() - outageStart;
    log(`published ${INVOICES}`);
    await waitFor(async () => (await availability(system)) === 'UNAVAILABLE', { timeoutMs: 120_000, intervalMs: 500, what: 'UNAVAILABLE' });
    const unavailableAfterMs = performance.now() - outageStart;
    log('UNAVAILABLE');
    // SENDING too: the half-open circuit's probe holds a claim of a few jobs (SENDER_BATCH_SIZE) during the outage.
    await waitFor(async () => (await count(system, `SELECT count(*)::int AS n FROM sender.send_jobs WHERE state IN ('QUEUED', 'SENDING')`)) === INVOICES, { timeoutMs: 3_600_000, intervalMs: 2_000, what: 'all invoices queued in the sender' });
    const queuedMs = performance.now() - outageStart;
    log('all queued');
    const attemptsDuringOutage = await count(system, `SELECT count(*)::int AS n FROM sender.send_attempts`);
    const accepted429Before = await simulatorCounter(system, 'ksef_sim_rate_limited_total');

    const outageEnd = performance.now();
    // 204 without a body: not through simulatorAdmin, which reads JSON.
    const reset = await fetch(`${system.simulator.origin}/admin/faults/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!reset.ok) throw new Error(`faults/reset: ${reset.status}`);
    log('outage ended');
    await waitFor(async () => (await availability(system)) === 'AVAILABLE', { timeoutMs: 120_000, intervalMs: 250, what: 'AVAILABLE again' });
    const availableAfterMs = performance.now() - outageEnd;
    await waitFor(async () => (await count(system, `SELECT count(*)::int AS n FROM sender.send_jobs WHERE state = 'SENT'`)) === INVOICES, { timeoutMs: 3_600_000, intervalMs: 1_000, what: 'all SENT' });
    const sentMs = performance.now() - outageEnd;
    log('all SENT');
    // KSeF's verdict: every invoice processed and accepted (status 200) in the simulator's own table.
    await waitFor(async () => (await simulatorCount(system, `SELECT count(*)::int AS n FROM ksef_simulator.invoices WHERE status_code = 200`)) === INVOICES, { timeoutMs: 3_600_000, intervalMs: 1_000, what: 'all accepted by KSeF' });
    const acceptedMs = performance.now() - outageEnd;
    log('all accepted by KSeF');
    // The bridge's ACCEPTED (intake) follows the status-poller, whose per-invoice UPO reads KSeF limits to 120/min
    // per context: watched for a while and reported as a rate, not waited for.
    const watchStart = performance.now();
    const acceptedAt = async () => count(system, `SELECT count(*)::int AS n FROM intake.invoices WHERE state = 'ACCEPTED' AND erp_document_id LIKE $1`, [`${prefix}%`]);
    const acceptedBefore = await acceptedAt();
    await waitFor(async () => (await acceptedAt()) === INVOICES || performance.now() - watchStart > WATCH_ACCEPTED_MS, { timeoutMs: WATCH_ACCEPTED_MS + 60_000, intervalMs: 1_000, what: 'ACCEPTED watch' });
    const acceptedAfter = await acceptedAt();
    const watchedMs = performance.now() - watchStart;

    const modes = (await system.query(`SELECT coalesce(reference_numbers->>'mode', 'online') AS mode, count(DISTINCT invoice_id)::int AS n FROM sender.send_attempts WHERE outcome IN ('submitted', 'reconciled') GROUP BY 1`)) as Array<{ mode: string; n: number }>;
    const sentByMode = Object.fromEntries(modes.map((m) => [m.mode, m.n]));
    // Oldest first: packages in the order KSeF got them; a package holding an invoice older than the previous
    // package's youngest is out of order.
    const packages = (await system.query(
      `SELECT session_reference_number AS session, min(created_at) AS oldest, max(created_at) AS youngest, min(updated_at) AS sent_at, count(*)::int AS n
         FROM sender.send_jobs GROUP BY 1 ORDER BY min(updated_at)`,
    )) as Array<{ session: string; oldest: Date; youngest: Date; sent_at: Date; n: number }>;
    const outOfOrder = packages.filter((p, i) => i > 0 && p.oldest < packages[i - 1].youngest).length;
    const copies = await system.ksefCopiesByHash();
    const hashes = (await system.query(`SELECT invoice_hash FROM sender.send_jobs`)) as Array<{ invoice_hash: string }>;
    const missing = hashes.filter((h) => !copies.has(h.invoice_hash)).length;
    const duplicated = hashes.filter((h) => (copies.get(h.invoice_hash) ?? 0) > 1).length;
    const transitions = events.of('ksef-availability.changed').map((e) => `${(e.payload as { from: string | null }).from}->${(e.payload as { to: string }).to}`);

    const result = {
      benchmark: 'outage-drain',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      invoices: INVOICES,
      limits: { ksef: 'production (sender limiter and simulator)', batchMaxInvoices: Number(BATCH_MAX) },
      outage: {
        publishSeconds: seconds(publishedMs),
        unavailableAfterSeconds: seconds(unavailableAfterMs),
        allQueuedAfterSeconds: seconds(queuedMs),
        sendAttemptsDuringOutage: attemptsDuringOutage,
        seconds: seconds(outageEnd - outageStart),
      },
      drain: {
        availableAfterSeconds: seconds(availableAfterMs),
        allSentSeconds: seconds(sentMs),
        allAcceptedByKsefSeconds: seconds(acceptedMs),
        sentPerSecond: +(INVOICES / (sentMs / 1000)).toFixed(1),
        acceptedByKsefPerSecond: +(INVOICES / (acceptedMs / 1000)).toFixed(1),
        bridgeAccepted: { atKsefDrained: acceptedBefore, afterWatch: acceptedAfter, watchedSeconds: seconds(watchedMs), perSecondDuringWatch: +((acceptedAfter - acceptedBefore) / (watchedMs / 1000)).toFixed(1), note: 'intake ACCEPTED, set by the status-poller (UPO reads: 120/min per context in production)' },
        sentByMode,
        batchShare: +((sentByMode['batch'] ?? 0) / INVOICES).toFixed(4),
        batchSessions: packages.filter((p) => p.n > 1).length,
        packagesOutOfAgeOrder: outOfOrder,
        // In the order KSeF got them: session (SO = interactive, SB = batch), size, age range of its invoices.
        sessions: packages.map((p) => ({ session: p.session, n: p.n, oldest: p.oldest.toISOString(), youngest: p.youngest.toISOString(), sentAt: p.sent_at.toISOString() })),
        rateLimited429: (await simulatorCounter(system, 'ksef_sim_rate_limited_total')) - accepted429Before,
      },
      exactlyOnce: { invoicesInKsef: hashes.length - missing, missing, duplicated, ksefInvoicesTotal: [...copies.values()].reduce((a, b) => a + b, 0) },
      availabilityTransitions: transitions,
      publicAvailabilityEvents: events.of('notification.ksef-availability-changed').length,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'outage-drain.json'), JSON.stringify(result, null, 2));
    console.log(JSON.stringify(result, null, 2));
    if (missing > 0 || duplicated > 0) process.exitCode = 2;
  } finally {
    await system.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
