import type { Logger } from '@ksef-bridge/observability';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { KsefContextRepository } from './ksef-context.repository';
import type { TokenCipher } from './token-cipher';

const USAGE = 'usage: register-context --nip <10 digits> --tenant <tenant id> --token <KSeF token> (or the token on stdin with --token -)';

/** `--name value` pairs. */
export function parseFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i];
    if (!name.startsWith('--') || i + 1 >= args.length) throw new Error(`${USAGE}\n(unexpected '${name}')`);
    flags[name.slice(2)] = args[(i += 1)];
  }
  return flags;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * `node dist/apps/sender/main.js register-context --nip 5265877635 --tenant acme --token '<KSeF token>'`: stores (or
 * replaces) a context's KSeF token, sealed with the configured master key. `--token -` reads it from stdin, which
 * keeps it out of the shell history and the process list. The token is never printed or logged.
 */
export async function registerContextCommand(platform: PlatformOptions, cipher: TokenCipher, args: string[], logger: Logger): Promise<void> {
  const flags = parseFlags(args);
  const nip = flags['nip'];
  const tenantId = flags['tenant'];
  const token = flags['token'] === '-' ? await readStdin() : flags['token'];
  if (!nip || !/^\d{10}$/.test(nip) || !tenantId || !token) throw new Error(USAGE);
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    await withTransaction(dataSource, (manager) => new KsefContextRepository(platform.schema).upsert(manager, cipher, { nip, tenantId, token }));
    logger.info({ nip, tenant: tenantId, masterKeyId: cipher.currentKeyId }, 'KSeF context registered; its token is stored encrypted');
  } finally {
    await dataSource.destroy();
  }
}

/** `rewrap-keys`: after setting a new SENDER_MASTER_KEY (old one in SENDER_PREVIOUS_MASTER_KEYS), re-wraps every data key. */
export async function rewrapKeysCommand(platform: PlatformOptions, cipher: TokenCipher, logger: Logger): Promise<void> {
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    const count = await withTransaction(dataSource, (manager) => new KsefContextRepository(platform.schema).rewrapAll(manager, cipher));
    logger.info({ rewrapped: count, masterKeyId: cipher.currentKeyId }, 'data keys re-wrapped under the current master key');
  } finally {
    await dataSource.destroy();
  }
}
