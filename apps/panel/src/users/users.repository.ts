import type { EntityManager } from 'typeorm';
import type { Role } from '../auth/access-policy';

/** A panel user as the admin screen shows it (never the hash). */
export interface UserView {
  username: string;
  role: Role;
  tenantId: string | null;
  createdAt: Date;
  disabledAt: Date | null;
  activeSessions: number;
}

/**
 * Writes of the admin's user-management screen. Every method runs inside the caller's transaction; `lockForChange`
 * takes the row locks that make the "last enabled admin" check safe against two admins acting at once.
 */
export class UsersRepository {
  private readonly s: string;
  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  list(db: EntityManager, tenant?: string): Promise<UserView[]> {
    return db.query(
      `SELECT u.username, u.role, u.tenant_id AS "tenantId", u.created_at AS "createdAt", u.disabled_at AS "disabledAt",
              (SELECT count(*)::int FROM ${this.s}.sessions s WHERE s.username = u.username AND s.expires_at > now()) AS "activeSessions"
       FROM ${this.s}.users u WHERE ($1::text IS NULL OR u.tenant_id = $1) ORDER BY u.username`,
      [tenant ?? null],
    );
  }

  /** Inserts a new user; false when the name is taken (an existing user is never replaced from the screen). */
  async create(db: EntityManager, user: { username: string; passwordHash: string; role: Role; tenantId: string | null }): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `INSERT INTO ${this.s}.users (username, password_hash, role, tenant_id) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING username`,
      [user.username, user.passwordHash, user.role, user.tenantId],
    );
    return rows.length === 1;
  }

  /**
   * Locks every enabled admin and the target (one statement, so the lock order is the same for everyone) and returns
   * the target and how many enabled admins there are.
   */
  async lockForChange(db: EntityManager, username: string): Promise<{ target?: { role: Role; tenantId: string | null; disabled: boolean }; enabledAdmins: number }> {
    const rows: Array<{ username: string; role: Role; tenantId: string | null; disabled: boolean }> = await db.query(
      `SELECT username, role, tenant_id AS "tenantId", disabled_at IS NOT NULL AS disabled FROM ${this.s}.users
       WHERE username = $1 OR (role = 'admin' AND disabled_at IS NULL) ORDER BY username FOR UPDATE`,
      [username],
    );
    const target = rows.find((r) => r.username === username);
    return { target, enabledAdmins: rows.filter((r) => r.role === 'admin' && !r.disabled).length };
  }

  async setRole(db: EntityManager, username: string, role: Role, tenantId: string | null): Promise<void> {
    await db.query(`UPDATE ${this.s}.users SET role = $2, tenant_id = $3 WHERE username = $1`, [username, role, tenantId]);
    await this.endSessions(db, username);
  }

  async setDisabled(db: EntityManager, username: string, disabled: boolean): Promise<void> {
    await db.query(`UPDATE ${this.s}.users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) ELSE NULL END WHERE username = $1`, [username, disabled]);
    if (disabled) await this.endSessions(db, username);
  }

  async setPassword(db: EntityManager, username: string, passwordHash: string): Promise<void> {
    await db.query(`UPDATE ${this.s}.users SET password_hash = $2 WHERE username = $1`, [username, passwordHash]);
    await this.endSessions(db, username);
  }

  /** A changed role or password, or a disabled user, ends every open session of that user. */
  private async endSessions(db: EntityManager, username: string): Promise<void> {
    await db.query(`DELETE FROM ${this.s}.sessions WHERE username = $1`, [username]);
  }
}
