import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EnvelopeCipher, SealedSecret } from '@ksef-bridge/secrets';
import { returnedRows } from '../infrastructure/returned-rows';

export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  masterKeyId: string;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionRow {
  id: string;
  tenant_id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret_ciphertext: Buffer;
  secret_iv: Buffer;
  secret_tag: Buffer;
  data_key_wrapped: Buffer;
  master_key_id: string;
  created_at: Date;
  updated_at: Date;
}

export const sealedOf = (r: Pick<SubscriptionRow, 'secret_ciphertext' | 'secret_iv' | 'secret_tag' | 'data_key_wrapped' | 'master_key_id'>): SealedSecret => ({
  ciphertext: r.secret_ciphertext,
  iv: r.secret_iv,
  tag: r.secret_tag,
  wrappedKey: r.data_key_wrapped,
  masterKeyId: r.master_key_id,
});

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  eventTypes: r.event_types,
  enabled: r.enabled,
  masterKeyId: r.master_key_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Webhook subscriptions. The signing secret is sealed here (subscription id as AAD) and never stored in clear. */
export class SubscriptionRepository {
  readonly table: string;

  constructor(schema: string) {
    this.table = `"${schema}".webhook_subscriptions`;
  }

  async create(manager: EntityManager, cipher: EnvelopeCipher, input: { tenantId: string; url: string; eventTypes: string[]; secret: string }): Promise<Subscription> {
    const id = randomUUID();
    const sealed = cipher.encrypt(input.secret, id);
    const rows: SubscriptionRow[] = await manager.query(
      `INSERT INTO ${this.table} (id, tenant_id, url, event_types, secret_ciphertext, secret_iv, secret_tag, data_key_wrapped, master_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [id, input.tenantId, input.url, input.eventTypes, sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey, sealed.masterKeyId],
    );
    return toSubscription(rows[0]);
  }

  async list(manager: EntityManager, tenantId?: string): Promise<Subscription[]> {
    const rows: SubscriptionRow[] = await manager.query(`SELECT * FROM ${this.table} WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY tenant_id, created_at`, [tenantId ?? null]);
    return rows.map(toSubscription);
  }

  /** Enables or disables; undefined when there is no such subscription. Deliveries of a disabled one wait (PENDING). */
  async setEnabled(manager: EntityManager, id: string, enabled: boolean): Promise<Subscription | undefined> {
    const rows = returnedRows<SubscriptionRow>(await manager.query(`UPDATE ${this.table} SET enabled = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *`, [id, enabled]));
    return rows[0] ? toSubscription(rows[0]) : undefined;
  }

  /** Replaces the secret at once (the next attempt is signed with the new one); undefined when there is no such subscription. */
  async rotateSecret(manager: EntityManager, cipher: EnvelopeCipher, id: string, secret: string): Promise<Subscription | undefined> {
    const sealed = cipher.encrypt(secret, id);
    const rows = returnedRows<SubscriptionRow>(await manager.query(
      `UPDATE ${this.table} SET secret_ciphertext = $2, secret_iv = $3, secret_tag = $4, data_key_wrapped = $5, master_key_id = $6, updated_at = clock_timestamp()
       WHERE id = $1 RETURNING *`,
      [id, sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey, sealed.masterKeyId],
    ));
    return rows[0] ? toSubscription(rows[0]) : undefined;
  }

  /** Re-wraps every data key under the current master key (master-key rotation). Returns how many rows changed. */
  async rewrapAll(manager: EntityManager, cipher: EnvelopeCipher): Promise<number> {
    const rows: SubscriptionRow[] = await manager.query(`SELECT * FROM ${this.table} WHERE master_key_id <> $1 FOR UPDATE`, [cipher.currentKeyId]);
    for (const row of rows) {
      const sealed = cipher.rewrap(sealedOf(row), row.id);
      await manager.query(`UPDATE ${this.table} SET data_key_wrapped = $2, master_key_id = $3 WHERE id = $1`, [row.id, sealed.wrappedKey, sealed.masterKeyId]);
    }
    return rows.length;
  }
}
