import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** Spawns a long-running process with its output appended to `logFile`. */
export function spawnLogged(command: string, args: string[], logFile: string, options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  // Output can still arrive after the process exited and its folder was removed: a lost log line must never fail a test.
  const write = (d: Buffer) => {
    try {
      appendFileSync(logFile, d);
    } catch {
      /* log folder gone */
    }
  };
  child.stdout?.on('data', write);
  child.stderr?.on('data', write);
  return child;
}

/** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** True when this process runs as root (PostgreSQL refuses to run as root; we switch to the postgres user). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
