import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { PanelUser, Role } from './access-policy';

type Db = DataSource | EntityManager;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

export interface StoredUser extends PanelUser {
  passwordHash: string;
  disabled: boolean;
}

/** Users, server-side sessions (only the SHA-256 of the cookie value is stored) and login failures. */
export class AuthRepository {
  private readonly s: string;
  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  async upsertUser(db: Db, user: { username: string; passwordHash: string; role: Role; tenantId: string | null }): Promise<void> {
    await db.query(
      `INSERT INTO ${this.s}.users (username, password_hash, role, tenant_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, tenant_id = EXCLUDED.tenant_id, disabled_at = NULL`,
      [user.username, user.passwordHash, user.role, user.tenantId],
    );
    // A changed password or role ends every open session of the user.
    await db.query(`DELETE FROM ${this.s}.sessions WHERE username = $1`, [user.username]);
  }

  async findUser(db: Db, username: string): Promise<StoredUser | undefined> {
    const rows: StoredUser[] = await db.query(
      `SELECT username, password_hash AS "passwordHash", role, tenant_id AS "tenantId", disabled_at IS NOT NULL AS disabled FROM ${this.s}.users WHERE username = $1`,
      [username],
    );
    return rows[0];
  }

  /** Opens a session; returns the cookie value (shown once, never stored). */
  async openSession(db: Db, username: string, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await db.query(`INSERT INTO ${this.s}.sessions (id_sha256, username, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')`, [sha256(token), username, ttlMs]);
    return token;
  }

  /** The user of a live session of an enabled user, or undefined. */
  async sessionUser(db: Db, token: string): Promise<PanelUser | undefined> {
    const rows: PanelUser[] = await db.query(
      `SELECT u.username, u.role, u.tenant_id AS "tenantId" FROM ${this.s}.sessions s JOIN ${this.s}.users u ON u.username = s.username
       WHERE s.id_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [sha256(token)],
    );
    return rows[0];
  }

  async closeSession(db: Db, token: string): Promise<void> {
    await db.query(`DELETE FROM ${this.s}.sessions WHERE id_sha256 = $1 OR expires_at < now()`, [sha256(token)]);
  }

  async recordFailure(db: Db, keys: string[]): Promise<void> {
    await db.query(`INSERT INTO ${this.s}.login_failures (key) SELECT unnest($1::text[])`, [keys]);
  }

  /** Failures per key within the last `windowMs` (keys without failures are 0). */
  async recentFailures(db: Db, keys: string[], windowMs: number): Promise<Record<string, number>> {
    const rows: Array<{ key: string; n: number }> = await db.query(
      `SELECT key, count(*)::int AS n FROM ${this.s}.login_failures WHERE key = ANY($1) AND at > clock_timestamp() - $2 * interval '1 millisecond' GROUP BY key`,
      [keys, windowMs],
    );
    return Object.fromEntries(keys.map((k) => [k, rows.find((r) => r.key === k)?.n ?? 0]));
  }

  async clearFailures(db: Db, key: string): Promise<void> {
    await db.query(`DELETE FROM ${this.s}.login_failures WHERE key = $1`, [key]);
  }
}
