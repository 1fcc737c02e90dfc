import { readFileSync } from 'node:fs';
import type { EntityManager } from 'typeorm';
import { PermanentError } from '@ksef-bridge/errors';
import type { Logger } from '@ksef-bridge/observability';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { KsefContextRepository } from '../contexts/ksef-context.repository';
import type { TokenCipher } from '../contexts/token-cipher';
import { checkOfflineCertificate } from './offline-certificate';
import { OfflineCertificateRepository, type OfflineCertificateInfo } from './offline-certificate.repository';

const USAGE =
  'usage: register-offline-certificate --nip <10 digits> --tenant <tenant id> --certificate <PEM file> --key <PEM file> [--passphrase <passphrase> | --passphrase - (read from stdin)]\n' +
  '       remove-offline-certificate --nip <10 digits> --tenant <tenant id>';

function flagsOf(args: readonly string[], allowed: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i];
    if (!name.startsWith('--') || !allowed.includes(name.slice(2)) || i + 1 >= args.length) throw new Error(`${USAGE}\n(unexpected '${name}')`);
    flags[name.slice(2)] = args[i + 1];
  }
  if (!/^\d{10}$/.test(flags['nip'] ?? '') || !flags['tenant']) throw new Error(USAGE);
  return flags;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The context must exist and belong to the tenant named: a typo in the NIP must not give a key to another tenant. */
async function requireContext(manager: EntityManager, schema: string, nip: string, tenantId: string): Promise<void> {
  const context = await new KsefContextRepository(schema).find(manager, nip);
  if (!context) throw new PermanentError('KSEF_CONTEXT_UNKNOWN', `no KSeF context ${nip} is registered (register-context first)`);
  if (context.tenantId !== tenantId) throw new PermanentError('KSEF_CONTEXT_OTHER_TENANT', `KSeF context ${nip} belongs to another tenant`);
}

/**
 * Registers (or replaces) the Offline certificate of a context: checked first (`checkOfflineCertificate`), then its
 * key sealed with the sender's cipher. Returns what may be shown (never the key).
 */
export async function registerOfflineCertificate(
  manager: EntityManager,
  schema: string,
  cipher: TokenCipher,
  input: { nip: string; tenantId: string; certificatePem: string; privateKeyPem: string; passphrase?: string },
  now = new Date(),
): Promise<OfflineCertificateInfo> {
  const checked = checkOfflineCertificate(input.certificatePem, input.privateKeyPem, input.passphrase, now);
  await requireContext(manager, schema, input.nip, input.tenantId);
  await new OfflineCertificateRepository(schema).upsert(manager, cipher, input.nip, checked);
  return { contextNip: input.nip, serial: checked.serial, algorithm: checked.algorithm, validFrom: checked.validFrom, validTo: checked.validTo };
}

/** Removes the Offline certificate of a context; KOD II is then refused for it (OFFLINE_CERTIFICATE_MISSING). */
export async function removeOfflineCertificate(manager: EntityManager, schema: string, input: { nip: string; tenantId: string }): Promise<boolean> {
  await requireContext(manager, schema, input.nip, input.tenantId);
  return new OfflineCertificateRepository(schema).remove(manager, input.nip);
}

async function withDatabase<T>(platform: PlatformOptions, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    return await withTransaction(dataSource, work);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * `node dist/apps/sender/main.js register-offline-certificate --nip 5265877635 --tenant acme --certificate offline.pem
 * --key offline-key.pem [--passphrase -]`: stores the context's KSeF certificate of type Offline (KOD II). The key may
 * be encrypted (its passphrase from stdin with `-`); it is stored decrypted and sealed. Secrets are never printed.
 */
export async function registerOfflineCertificateCommand(platform: PlatformOptions, cipher: TokenCipher, args: string[], logger: Logger): Promise<void> {
  const flags = flagsOf(args, ['nip', 'tenant', 'certificate', 'key', 'passphrase']);
  if (!flags['certificate'] || !flags['key']) throw new Error(USAGE);
  const passphrase = flags['passphrase'] === '-' ? await readStdin() : flags['passphrase'];
  const input = { nip: flags['nip'], tenantId: flags['tenant'], certificatePem: readFileSync(flags['certificate'], 'utf8'), privateKeyPem: readFileSync(flags['key'], 'utf8'), passphrase };
  const info = await withDatabase(platform, (manager) => registerOfflineCertificate(manager, platform.schema, cipher, input));
  logger.info({ nip: info.contextNip, tenant: input.tenantId, serial: info.serial, algorithm: info.algorithm, validTo: info.validTo.toISOString(), masterKeyId: cipher.currentKeyId }, 'Offline certificate registered; its key is stored encrypted');
}

/** `remove-offline-certificate --nip … --tenant …`. */
export async function removeOfflineCertificateCommand(platform: PlatformOptions, args: string[], logger: Logger): Promise<void> {
  const flags = flagsOf(args, ['nip', 'tenant']);
  const removed = await withDatabase(platform, (manager) => removeOfflineCertificate(manager, platform.schema, { nip: flags['nip'], tenantId: flags['tenant'] }));
  logger.info({ nip: flags['nip'], removed }, removed ? 'Offline certificate removed' : 'the context had no Offline certificate');
}
