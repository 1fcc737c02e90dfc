import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './test-database';
import { waitFor } from './wait';

export interface SimulatorProcess {
  /** `http://127.0.0.1:<port>` (health, admin). */
  origin: string;
  /** KSeF API base, `<origin>/v2`. */
  apiBaseUrl: string;
  port: number;
  database: TestDatabase;
  child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** SIGTERM (SIGKILL after 10 s), then drops the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartSimulatorOptions {
  /** Extra environment (e.g. simulator settings). HTTP_PORT/HTTP_HOST/SIM_MODE/PG* are set here. */
  env?: Record<string, string>;
  /** Build with `nx build ksef-simulator` first. Default: true unless SIM_SKIP_BUILD=1. */
  build?: boolean;
  /** How long to wait for `GET /health` = 200. Default 60 s. */
  readyTimeoutMs?: number;
  /** Database name prefix. Default `sim`. */
  databasePrefix?: string;
}

/** The workspace root (the folder holding nx.json), found from this file upwards. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('workspace root (nx.json) not found');
    dir = parent;
  }
  return dir;
}

let built = false;

const LOCK_DIR = join(tmpdir(), 'ksef-bridge-simulator-build.lock');

/**
 * Serialises build-and-start across test processes (jest workers, parallel suites): a concurrent `nx build` rewrites
 * dist/ while another process is loading main.js. A lock older than 10 minutes is considered abandoned.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK_DIR).mtimeMs > 10 * 60_000) rmSync(LOCK_DIR, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`could not take ${LOCK_DIR}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Builds the simulator once per test process (Nx caches the build when nothing changed). */
export function buildSimulator(): void {
  if (built) return;
  const result = spawnSync('npx', ['nx', 'build', 'ksef-simulator', '--outputStyle=static'], {
    cwd: workspaceRoot(),
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.status !== 0) throw new Error(`nx build ksef-simulator failed:\n${result.stdout}\n${result.stderr}`);
  built = true;
}

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it). */
async function pickFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('could not get a free port');
  return address.port;
}

/**
 * Starts the BUILT KSeF simulator (`dist/apps/ksef-simulator/main.js`) as a process on a free port with a fresh
 * database (`migrate` first), and waits until `GET /health` answers 200. Build and start are serialised across test
 * processes by a lock in the OS temp folder. Tests talk to it over HTTP only.
 */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<SimulatorProcess> {
  return withBuildLock(() => startLocked(options));
}

async function startLocked(options: StartSimulatorOptions): Promise<SimulatorProcess> {
  if (options.build ?? process.env['SIM_SKIP_BUILD'] !== '1') buildSimulator();
  const root = workspaceRoot();
  const main = join(root, 'dist/apps/ksef-simulator/main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run npx nx build ksef-simulator`);

  const database = await createTestDatabase(options.databasePrefix ?? 'sim');
  const port = await pickFreePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    SIM_MODE: 'test',
    PGHOST: database.config.host,
    PGPORT: String(database.config.port),
    PGUSER: database.config.user,
    PGPASSWORD: database.config.password,
    PGDATABASE: database.config.database,
    OTEL_ENABLED: 'false',
    LOG_LEVEL: process.env['SIM_LOG_LEVEL'] ?? 'warn',
    ...(options.env ?? {}),
  };
  // No traces from test processes: an inherited collector endpoint would only add noise.
  if (!options.env?.['OTEL_EXPORTER_OTLP_ENDPOINT']) delete env['OTEL_EXPORTER_OTLP_ENDPOINT'];

  const migrate = spawnSync(process.execPath, [main, 'migrate'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  if (migrate.status !== 0) {
    await database.drop();
    throw new Error(`simulator migrate failed (${migrate.status}):\n${migrate.stdout}\n${migrate.stderr}`);
  }

  let output = '';
  const child = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (d: Buffer): void => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await database.drop();
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`simulator exited with code ${child.exitCode}`);
        const res = await fetch(`${origin}/health`);
        return res.status === 200;
      },
      { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 200, what: 'simulator /health' },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- simulator output ---\n${output}`);
  }
  return { origin, apiBaseUrl: `${origin}/v2`, port, database, child, output: () => output, stop };
}
