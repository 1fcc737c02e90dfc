import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key';

/** Tenants (ERP installations) and their API keys, in the service's schema. */
export class TenantRepository {
  constructor(private readonly schema: string) {}

  /** Creates a tenant (or keeps an existing one with that id) and issues a new API key; returns the key (shown once). */
  async createWithKey(manager: EntityManager, id: string, name: string, label = 'default'): Promise<string> {
    await manager.query(`INSERT INTO "${this.schema}".tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [id, name]);
    const key = generateApiKey();
    await manager.query(`INSERT INTO "${this.schema}".api_keys (id, tenant_id, key_sha256, label) VALUES ($1, $2, $3, $4)`, [randomUUID(), id, hashApiKey(key), label]);
    return key;
  }

  /** The active tenant owning an unrevoked `key`, or undefined. */
  async tenantOfKey(db: DataSource | EntityManager, key: string): Promise<string | undefined> {
    if (!looksLikeApiKey(key)) return undefined;
    const rows: Array<{ tenant_id: string }> = await db.query(
      `SELECT k.tenant_id FROM "${this.schema}".api_keys k JOIN "${this.schema}".tenants t ON t.id = k.tenant_id
       WHERE k.key_sha256 = $1 AND k.revoked_at IS NULL AND t.disabled_at IS NULL`,
      [hashApiKey(key)],
    );
    return rows[0]?.tenant_id;
  }

  async isActive(db: DataSource | EntityManager, tenantId: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM "${this.schema}".tenants WHERE id = $1 AND disabled_at IS NULL`, [tenantId]);
    return rows.length > 0;
  }
}
