import type { Logger } from '@ksef-bridge/observability';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { readFileSync } from 'node:fs';
import { checkXadesCredentials, encodeCredentials, type ContextCredentials } from './context-credentials';
import { OfflineCertificateRepository } from '../offline-certificates/offline-certificate.repository';
import { KsefContextRepository } from './ksef-context.repository';
import type { TokenCipher } from './token-cipher';

const USAGE =
  'usage: register-context --nip <10 digits> --tenant <tenant id> (--token <KSeF token> | --token - (read from stdin) | --certificate <PEM file> --key <PEM file>)';

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
 * keeps it out of the shell history and the process list. `--certificate cert.pem --key key.pem` stores a
 * certificate and its (unencrypted PEM) key instead, for XAdES-signed authentication; they are checked first (the key
 * matches, the certificate is valid now). Secrets are never printed or logged.
 */
export async function registerContextCommand(platform: PlatformOptions, cipher: TokenCipher, args: string[], logger: Logger): Promise<void> {
  const flags = parseFlags(args);
  const nip = flags['nip'];
  const tenantId = flags['tenant'];
  if (!nip || !/^\d{10}$/.test(nip) || !tenantId) throw new Error(USAGE);
  let credentials: ContextCredentials;
  if (flags['certificate'] !== undefined || flags['key'] !== undefined) {
    // XAdES: KSeF authenticates the context by a signature with this certificate's key (e.g. a company seal).
    if (!flags['certificate'] || !flags['key'] || flags['token'] !== undefined) throw new Error(USAGE);
    const certificatePem = readFileSync(flags['certificate'], 'utf8');
    const privateKeyPem = readFileSync(flags['key'], 'utf8');
    checkXadesCredentials(certificatePem, privateKeyPem);
    credentials = { kind: 'xades', certificatePem, privateKeyPem };
  } else {
    const token = flags['token'] === '-' ? await readStdin() : flags['token'];
    if (!token) throw new Error(USAGE);
    credentials = { kind: 'ksef-token', token };
  }
  const token = encodeCredentials(credentials);
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    await withTransaction(dataSource, (manager) => new KsefContextRepository(platform.schema).upsert(manager, cipher, { nip, tenantId, token }));
    logger.info({ nip, tenant: tenantId, credentials: credentials.kind, masterKeyId: cipher.currentKeyId }, 'KSeF context registered; its credentials are stored encrypted');
  } finally {
    await dataSource.destroy();
  }
}

/** `rewrap-keys`: after setting a new SENDER_MASTER_KEY (old one in SENDER_PREVIOUS_MASTER_KEYS), re-wraps every data key. */
export async function rewrapKeysCommand(platform: PlatformOptions, cipher: TokenCipher, logger: Logger): Promise<void> {
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    const [count, offlineKeys] = await withTransaction(dataSource, async (manager) => [
      await new KsefContextRepository(platform.schema).rewrapAll(manager, cipher),
      // Offline certificates' keys (KOD II) are sealed under the same master key.
      await new OfflineCertificateRepository(platform.schema).rewrapAll(manager, cipher),
    ]);
    logger.info({ rewrapped: count, offlineCertificatesRewrapped: offlineKeys, masterKeyId: cipher.currentKeyId }, 'data keys re-wrapped under the current master key');
  } finally {
    await dataSource.destroy();
  }
}
