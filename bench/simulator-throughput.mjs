#!/usr/bin/env node
// Interactive-submission throughput of the KSeF simulator (issue #3 target: >= 2,000 accepted invoices/s, limits off).
// Boots the BUILT simulator (run `npx nx build ksef-simulator` first) on a fresh PostgreSQL database, authenticates
// with a KSeF token, opens sessions, pre-encrypts unique FA(3) invoices, then fires POST .../invoices with a fixed
// concurrency and counts 202s per second. Writes JSON to bench/results/. The load generator shares the machine.
//
//   node bench/simulator-throughput.mjs [--invoices 20000] [--concurrency 64] [--sessions 8] [--hold-processing]
// Env: SIM_MAIN=<path to another main.js> (A/B against an older build), SIM_NODE_ARGS="--cpu-prof" (profile),
// SIM_PROCESSING_WORKERS (passed to the simulator). Writes simulator-throughput-<date>.json and simulator-throughput.json
// (the latest run).
import { spawn } from 'node:child_process';
import { constants, createCipheriv, createHash, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const INVOICES = arg('invoices', 20_000);
const CONCURRENCY = arg('concurrency', 64);
const SESSIONS = arg('sessions', 8);
// --hold-processing: keep invoices at 150 (stuckProcessing fault) while submitting, to measure the acceptance path
// alone; processing then runs on its own and is timed separately.
const HOLD = process.argv.includes('--hold-processing');
const NIP = '5265877635';
const PORT = 3000 + Math.floor(Math.random() * 500) + 13_000;
const db = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'ksef', password: process.env.PGPASSWORD ?? 'ksef' };
const dbName = `bench_sim_${randomBytes(4).toString('hex')}`;

// CPU seconds a process has used (user + system), from /proc: on a shared machine the CPU cost per invoice is a steadier
// measure than the rate, which depends on what else runs. Linux only; undefined elsewhere or for a vanished process.
const TICKS = 100;
const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
};
// The PostgreSQL backends serving the bench database (PostgreSQL runs on this machine in the dev setup).
const backendCpu = async (client) => {
  const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]).filter(([, c]) => c !== undefined));
};
const sumCpuDelta = (before, after) => [...after].reduce((sum, [pid, cpu]) => sum + cpu - (before.get(pid) ?? 0), 0);

const sha256 = (b) => createHash('sha256').update(b).digest('base64');
const invoiceXml = (n) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/"><Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza><WariantFormularza>3</WariantFormularza><DataWytworzeniaFa>2026-01-02T08:00:00Z</DataWytworzeniaFa><SystemInfo>bench</SystemInfo></Naglowek>` +
  `<Podmiot1><DaneIdentyfikacyjne><NIP>${NIP}</NIP><Nazwa>Sprzedawca</Nazwa></DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Testowa 1</AdresL1></Adres></Podmiot1>` +
  `<Podmiot2><DaneIdentyfikacyjne><NIP>1111111111</NIP><Nazwa>Nabywca</Nazwa></DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Kupiecka 2</AdresL1></Adres><JST>2</JST><GV>2</GV></Podmiot2>` +
  `<Fa><KodWaluty>PLN</KodWaluty><P_1>2026-01-02</P_1><P_2>BENCH/${n}</P_2><P_13_1>100.00</P_13_1><P_14_1>23.00</P_14_1><P_15>123.00</P_15><Adnotacje><P_16>2</P_16><P_17>2</P_17><P_18>2</P_18><P_18A>2</P_18A><Zwolnienie><P_19N>1</P_19N></Zwolnienie><NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu><P_23>2</P_23><PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy></Adnotacje><RodzajFaktury>VAT</RodzajFaktury>` +
  `<FaWiersz><NrWierszaFa>1</NrWierszaFa><P_7>Usługa</P_7><P_8A>szt.</P_8A><P_8B>1</P_8B><P_9A>100.00</P_9A><P_11>100.00</P_11><P_12>23</P_12></FaWiersz></Fa></Faktura>`;

async function main() {
  const admin = new pg.Client({ ...db, database: process.env.PGDATABASE ?? 'ksef_bridge' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const env = { ...process.env, HTTP_PORT: String(PORT), HTTP_HOST: '127.0.0.1', PGDATABASE: dbName, SIM_MODE: 'test', SIM_RATE_LIMITS: 'off', SIM_PROCESSING_DELAY_MS: '50', LOG_LEVEL: 'warn', OTEL_ENABLED: 'false', DB_POOL_SIZE: '16' };
  const nodeArgs = (process.env.SIM_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, process.env.SIM_MAIN ?? join(root, 'dist/apps/ksef-simulator/main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {}
      if (i > 200) throw new Error('simulator did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const json = async (method, path, body, token) => {
      const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    };
    const certs = (await json('GET', '/v2/security/public-key-certificates')).body;
    const cert = (usage) => new X509Certificate(Buffer.from(certs.find((c) => c.usage.includes(usage)).certificate, 'base64'));
    const seeded = await json('POST', '/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: NIP } });
    if (seeded.status !== 201) throw new Error(`seeding a token failed: ${seeded.status} ${JSON.stringify(seeded.body)}`);
    const seed = seeded.body.token;
    const ch = (await json('POST', '/v2/auth/challenge')).body;
    const encryptedToken = publicEncrypt({ key: cert('KsefTokenEncryption').publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(`${seed}|${ch.timestampMs}`)).toString('base64');
    const started0 = await json('POST', '/v2/auth/ksef-token', { challenge: ch.challenge, contextIdentifier: { type: 'Nip', value: NIP }, encryptedToken });
    if (started0.status !== 202) throw new Error(`ksef-token auth failed: ${started0.status} ${JSON.stringify(started0.body)}`);
    const init = started0.body;
    for (;;) {
      const s = (await json('GET', `/v2/auth/${init.referenceNumber}`, undefined, init.authenticationToken.token)).body;
      if (s.status.code === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const access = (await json('POST', '/v2/auth/token/redeem', undefined, init.authenticationToken.token)).body.accessToken.token;

    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) {
      const key = randomBytes(32);
      const iv = randomBytes(16);
      const encryption = {
        encryptedSymmetricKey: publicEncrypt({ key: cert('SymmetricKeyEncryption').publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key).toString('base64'),
        initializationVector: iv.toString('base64'),
      };
      const res = await json('POST', '/v2/sessions/online', { formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' }, encryption }, access);
      sessions.push({ ref: res.body.referenceNumber, key, iv });
    }
    process.stderr.write(`preparing ${INVOICES} encrypted invoices...\n`);
    const requests = [];
    for (let n = 0; n < INVOICES; n++) {
      const s = sessions[n % SESSIONS];
      const plain = Buffer.from(invoiceXml(`${dbName}/${n}`));
      const cipher = createCipheriv('aes-256-cbc', s.key, s.iv);
      const enc = Buffer.concat([cipher.update(plain), cipher.final()]);
      requests.push({
        path: `/v2/sessions/online/${s.ref}/invoices`,
        body: JSON.stringify({ invoiceHash: sha256(plain), invoiceSize: plain.length, encryptedInvoiceHash: sha256(enc), encryptedInvoiceSize: enc.length, encryptedInvoiceContent: enc.toString('base64') }),
      });
    }
    let holdRule;
    if (HOLD) holdRule = (await json('POST', '/admin/faults', { type: 'stuckProcessing' })).body;
    const pool = new Pool(base, { connections: CONCURRENCY, pipelining: 1 });
    let next = 0;
    let accepted = 0;
    const other = {};
    const latencies = [];
    const commits = async () => Number((await admin.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [dbName])).rows[0].xact_commit);
    const cpuBefore = { sim: cpuSeconds(child.pid), pg: await backendCpu(admin), load: process.cpuUsage(), commits: await commits() };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const r = requests[next++];
          const t0 = performance.now();
          const res = await pool.request({ method: 'POST', path: r.path, headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` }, body: r.body });
          await res.body.dump();
          latencies.push(performance.now() - t0);
          if (res.statusCode === 202) accepted++;
          else other[res.statusCode] = (other[res.statusCode] ?? 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const simCpu = cpuSeconds(child.pid) - cpuBefore.sim;
    const pgCpu = sumCpuDelta(cpuBefore.pg, await backendCpu(admin));
    const loadUsage = process.cpuUsage(cpuBefore.load);
    const loadCpu = (loadUsage.user + loadUsage.system) / 1e6;
    // pg_stat_database is updated when a backend reports (at most every 0.5-1 s): wait for the counters to settle.
    await new Promise((r) => setTimeout(r, 1_500));
    const transactions = (await commits()) - cpuBefore.commits;
    const processingStarted = performance.now();
    if (holdRule) await fetch(`${base}/admin/faults/${holdRule.id}`, { method: 'DELETE' });
    latencies.sort((a, b) => a - b);
    const pct = (p) => Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2));
    // Time until every accepted invoice reached a final status (processing throughput).
    const dbClient = new pg.Client({ ...db, database: dbName });
    await dbClient.connect();
    let processedAt;
    for (;;) {
      const { rows } = await dbClient.query('SELECT count(*) FILTER (WHERE status_code IN (100,150))::int AS pending, count(*) FILTER (WHERE status_code = 200)::int AS ok FROM ksef_simulator.invoices');
      if (rows[0].pending === 0) {
        processedAt = (performance.now() - (HOLD ? processingStarted : started)) / 1000;
        var okCount = rows[0].ok; // eslint-disable-line no-var
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await dbClient.end();
    await pool.close();
    const result = {
      benchmark: 'ksef-simulator interactive invoice submission',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, note: 'load generator and simulator share the machine' },
      // SIM_MAIN: another build of the simulator (e.g. a copy of an older dist) for back-to-back comparisons.
      simulatorBuild: process.env.SIM_MAIN ?? 'dist/apps/ksef-simulator/main.js',
      settings: { processingWorkers: process.env.SIM_PROCESSING_WORKERS ?? 'default', invoices: INVOICES, concurrency: CONCURRENCY, sessions: SESSIONS, holdProcessing: HOLD, rateLimits: 'off', processingDelayMs: 50, invoiceBytes: Buffer.byteLength(invoiceXml('x')) },
      accepted,
      otherStatuses: other,
      seconds: Number(seconds.toFixed(3)),
      acceptedPerSecond: Math.round(accepted / seconds),
      latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: pct(100) },
      // CPU used during the submission phase, per accepted invoice (ms): the simulator process (HTTP, crypto, and,
      // without --hold-processing, the processing that runs alongside), its PostgreSQL backends, the load generator.
      cpuMsPerInvoice: {
        simulator: Number(((1000 * simCpu) / accepted).toFixed(3)),
        postgres: Number(((1000 * pgCpu) / accepted).toFixed(3)),
        loadGenerator: Number(((1000 * loadCpu) / accepted).toFixed(3)),
      },
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
      // PostgreSQL transactions (statements outside BEGIN) per accepted invoice during the submission phase.
      pgTransactionsPerInvoice: Number((transactions / accepted).toFixed(4)),
      // With --hold-processing: seconds from releasing the hold until every invoice is final; otherwise from the start.
      allProcessedAfterSeconds: Number(processedAt.toFixed(3)),
      processedOk: okCount,
      processedPerSecond: Math.round(okCount / processedAt),
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `simulator-throughput-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(root, 'bench/results/simulator-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
