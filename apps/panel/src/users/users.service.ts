import type { DataSource, EntityManager } from 'typeorm';
import { requireAction, type PanelUser, type Role } from '../auth/access-policy';
import { hashPassword } from '../auth/password';
import type { AuditRepository } from '../audit/audit.repository';
import { PanelHttpError } from '../http/panel-error.filter';
import type { UsersRepository } from './users.repository';

/**
 * The password policy of the Users screen: 10 to 200 characters, not containing the user name. (The create-user CLI
 * keeps its own, older rule of at least 10 characters: scripts/up.sh's demo user would fail the name rule.)
 */
export function passwordPolicyProblem(username: string, password: string): string | undefined {
  if (password.length < 10 || password.length > 200) return 'A password needs 10 to 200 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'A password must not contain the user name';
  return undefined;
}

function checkPasswordPolicy(username: string, password: string): void {
  const problem = passwordPolicyProblem(username, password);
  if (problem) throw new PanelHttpError(400, 'PASSWORD_POLICY', problem);
}

/** A non-admin sees exactly one tenant; an admin sees every tenant and has none. */
function checkTenant(role: Role, tenantId: string | null): void {
  if (role !== 'admin' && !tenantId) throw new PanelHttpError(400, 'TENANT_REQUIRED', `A ${role} sees exactly one tenant: name it`);
  if (role === 'admin' && tenantId) throw new PanelHttpError(400, 'TENANT_NOT_ALLOWED', 'An admin sees every tenant: give no tenant');
}

type Change = { kind: 'role'; role: Role; tenantId: string | null } | { kind: 'disable' } | { kind: 'enable' } | { kind: 'password'; password: string };
const ACTION: Record<Change['kind'], string> = { role: 'user-role', disable: 'user-disable', enable: 'user-enable', password: 'user-password-reset' };

/**
 * User management for admins. Every action, done or refused, goes to the audit trail (never a password). No change
 * may leave the panel without an enabled admin: demoting or disabling the last one is 409 `LAST_ADMIN`, checked under
 * row locks so two admins demoting each other at once cannot both succeed.
 */
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly audit: AuditRepository,
    private readonly hashCost?: { N: number; r: number; p: number },
  ) {}

  /** Refused before the body is even looked at: a non-admin learns nothing about the users or the validation rules. */
  authorize(user: PanelUser): void {
    requireAction(user, 'manage-users');
  }

  list(admin: PanelUser, tenant?: string) {
    requireAction(admin, 'manage-users');
    return this.dataSource.transaction((m) => this.users.list(m, tenant || undefined));
  }

  async create(admin: PanelUser, input: { username: string; role: Role; tenantId: string | null; password: string }, reason: string) {
    requireAction(admin, 'manage-users');
    const details = { target: input.username, role: input.role, tenantId: input.tenantId };
    return this.audited(admin, 'user-create', input.tenantId, reason, details, async () => {
      checkTenant(input.role, input.tenantId);
      checkPasswordPolicy(input.username, input.password);
      const passwordHash = await hashPassword(input.password, this.hashCost);
      const created = await this.dataSource.transaction((m) => this.users.create(m, { ...input, passwordHash }));
      if (!created) throw new PanelHttpError(409, 'USER_EXISTS', `User ${input.username} exists already`);
      return { username: input.username, role: input.role, tenantId: input.tenantId, created: true };
    });
  }

  async change(admin: PanelUser, username: string, change: Change, reason: string) {
    requireAction(admin, 'manage-users');
    const details: Record<string, unknown> = { target: username, ...(change.kind === 'role' ? { role: change.role, tenantId: change.tenantId } : {}) };
    let tenantId: string | null = null;
    return this.audited(admin, ACTION[change.kind], () => tenantId, reason, details, async () => {
      // A password is hashed before the transaction: scrypt takes ~100 ms and must not hold the admins' row locks.
      const hash = change.kind === 'password' ? (checkPasswordPolicy(username, change.password), await hashPassword(change.password, this.hashCost)) : undefined;
      return this.dataSource.transaction(async (m: EntityManager) => {
        const { target, enabledAdmins } = await this.users.lockForChange(m, username);
        if (!target) throw new PanelHttpError(404, 'USER_NOT_FOUND', `No user ${username}`);
        tenantId = change.kind === 'role' ? change.tenantId ?? target.tenantId : target.tenantId;
        const losesAdmin = target.role === 'admin' && !target.disabled && ((change.kind === 'role' && change.role !== 'admin') || change.kind === 'disable');
        if (losesAdmin && enabledAdmins <= 1) throw new PanelHttpError(409, 'LAST_ADMIN', 'This is the last enabled admin: make another admin first');
        if (change.kind === 'role') {
          checkTenant(change.role, change.tenantId);
          await this.users.setRole(m, username, change.role, change.tenantId);
        } else if (change.kind === 'password') await this.users.setPassword(m, username, hash as string);
        else await this.users.setDisabled(m, username, change.kind === 'disable');
        return { username, changed: true, ...(change.kind === 'role' ? { role: change.role, tenantId: change.tenantId } : {}), ...(change.kind === 'disable' || change.kind === 'enable' ? { disabled: change.kind === 'disable' } : {}) };
      });
    });
  }

  private async audited<T>(admin: PanelUser, action: string, tenant: string | null | (() => string | null), reason: string, details: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
    const tenantOf = () => (typeof tenant === 'function' ? tenant() : tenant) ?? undefined;
    try {
      const result = await run();
      await this.audit.record(this.dataSource, admin, { action, tenantId: tenantOf(), reason, outcome: 'done', details });
      return result;
    } catch (error) {
      const code = error instanceof PanelHttpError ? ((error.getResponse() as { error: { code: string } }).error.code) : 'INTERNAL';
      await this.audit.record(this.dataSource, admin, { action, tenantId: tenantOf(), reason, outcome: `failed: ${code}`, details });
      throw error;
    }
  }
}
