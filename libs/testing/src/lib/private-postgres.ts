import { execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import type { TestDatabaseConfig } from './infra-env';
import { isRoot, spawnLogged, stopProcess } from './process-control';
import { waitFor } from './wait';

const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  config: TestDatabaseConfig;
  logFile: string;
  /** Starts (or restarts) the server on the same port and data. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): open connections are cut, as in a real outage. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server on a random port, for tests that stop and restart the database; the shared one is
 * never touched. Uses Debian's binaries (PG_BIN, default /usr/lib/postgresql/15/bin); trust auth on 127.0.0.1.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (run scripts/stack/postgres.sh start once)`);
  const dir = mkdtempSync(join(tmpdir(), 'ksef-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) => (isRoot() ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
  if (isRoot()) chownSync(dir, uid('postgres'), gid('postgres'));
  const init = asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'ksef', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(init.cmd, init.args, { stdio: 'ignore' });
  const config: TestDatabaseConfig = { host: '127.0.0.1', port, user: 'ksef', password: 'unused', database: 'postgres', poolSize: 4 };
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child && child.exitCode === null) return;
    const run = asPostgres(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100']);
    child = spawnLogged(run.cmd, run.args, logFile);
    await waitFor(
      async () => {
        const c = new Client({ ...config, user: config.user });
        await c.connect();
        await c.end();
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `private PostgreSQL on port ${port}` },
    );
  };
  const stop = () => stopProcess(child, 'SIGINT');
  await start();
  return {
    config,
    logFile,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
