import type { Logger } from '@ksef-bridge/observability';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { TenantRepository } from './tenant.repository';

/**
 * `node dist/apps/intake/main.js create-tenant <id> [name]`: creates the tenant if missing (migrations first) and
 * prints a new API key on stdout. The key is shown only here; intake stores its SHA-256.
 */
export async function createTenantCommand(platform: PlatformOptions, args: string[], logger: Logger): Promise<void> {
  const [id, name] = args;
  if (!id || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(id)) throw new Error('usage: create-tenant <id: lower-case letters, digits, dashes> [name]');
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    const key = await withTransaction(dataSource, (manager) => new TenantRepository(platform.schema).createWithKey(manager, id, name ?? id));
    logger.info({ tenant: id }, 'tenant ready; its new API key is printed on stdout');
    process.stdout.write(`${key}\n`);
  } finally {
    await dataSource.destroy();
  }
}
