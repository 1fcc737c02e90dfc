import type { Logger } from '@ksef-bridge/observability';
import { runMigrations } from '@ksef-bridge/persistence';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { ROLES, type Role } from '../auth/access-policy';
import { AuthRepository } from '../auth/auth.repository';
import { hashPassword } from '../auth/password';

const USAGE = 'usage: create-user <username> <accountant|operator|admin> [tenant] < password-on-stdin (tenant required except for admin)';

export interface CreateUserArgs {
  username: string;
  role: Role;
  tenantId: string | null;
}

/** Parses `create-user <username> <role> [tenant]`; throws the usage on anything else. */
export function parseCreateUserArgs(args: string[]): CreateUserArgs {
  const [rawName, role, tenant] = args;
  const username = rawName?.toLowerCase();
  if (!username || !/^[a-z0-9][a-z0-9._@-]{1,99}$/.test(username)) throw new Error(`${USAGE}\nusername: 2-100 of a-z 0-9 . _ @ -`);
  if (!ROLES.includes(role as Role)) throw new Error(`${USAGE}\nrole must be one of ${ROLES.join(', ')}`);
  if (tenant !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(tenant)) throw new Error(`${USAGE}\ntenant: lower-case letters, digits, dashes`);
  if (role !== 'admin' && !tenant) throw new Error(`${USAGE}\na ${role} sees exactly one tenant: name it`);
  if (role === 'admin' && tenant) throw new Error(`${USAGE}\nan admin sees every tenant: give no tenant`);
  return { username, role: role as Role, tenantId: tenant ?? null };
}

/**
 * `node dist/apps/panel/main.js create-user <username> <role> [tenant]` with the password on stdin (kept out of the
 * shell history and the process list). Creates or replaces the user (migrations first); open sessions of the user end.
 */
export async function createUserCommand(platform: PlatformOptions, args: string[], password: string, logger: Logger): Promise<void> {
  const user = parseCreateUserArgs(args);
  const passwordHash = await hashPassword(password.replace(/\r?\n$/, ''));
  const dataSource = await platformDataSource(platform).initialize();
  try {
    await runMigrations(dataSource, platform.schema);
    await new AuthRepository(platform.schema).upsertUser(dataSource, { ...user, passwordHash });
    logger.info({ username: user.username, role: user.role, tenant: user.tenantId }, 'panel user ready');
  } finally {
    await dataSource.destroy();
  }
}
