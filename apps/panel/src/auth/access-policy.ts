/** The three roles of the panel (docs/panel.md, "Roles"). */
export const ROLES = ['accountant', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a person can do; reads include the validation view. */
export type Action = 'read' | 'retry' | 'cancel' | 'resubmit' | 'acknowledge' | 'all-tenants' | 'manage-users';

const GRANTS: Readonly<Record<Role, readonly Action[]>> = {
  // Accountants read invoices and their validation problems, and send a corrected document.
  accountant: ['read', 'resubmit'],
  operator: ['read', 'retry', 'cancel', 'resubmit', 'acknowledge'],
  // Admins are global (no tenant): they see every tenant and manage the panel's users.
  admin: ['read', 'retry', 'cancel', 'resubmit', 'acknowledge', 'all-tenants', 'manage-users'],
};

export interface PanelUser {
  username: string;
  role: Role;
  /** The one tenant a non-admin sees; null for an admin (every tenant). */
  tenantId: string | null;
}

export class AccessDenied extends Error {
  constructor(
    readonly status: 403 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function can(user: PanelUser, action: Action): boolean {
  return GRANTS[user.role].includes(action);
}

export function requireAction(user: PanelUser, action: Action): void {
  if (!can(user, action)) throw new AccessDenied(403, 'FORBIDDEN', `The role ${user.role} may not ${action}`);
}

/**
 * The tenant scope passed to intake and the sender: a non-admin always gets exactly their tenant (asking for another
 * one is refused); an admin gets the tenant asked for, or undefined = every tenant.
 */
export function tenantScope(user: PanelUser, requested?: string): string | undefined {
  if (can(user, 'all-tenants')) return requested || undefined;
  if (!user.tenantId) throw new AccessDenied(403, 'NO_TENANT', `User ${user.username} has no tenant`);
  if (requested && requested !== user.tenantId) throw new AccessDenied(403, 'TENANT_FORBIDDEN', `User ${user.username} sees only tenant ${user.tenantId}`);
  return user.tenantId;
}
