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
  /** Until then webhooks are signed with the previous secret too (rotation grace period). */
  previousSecretExpiresAt?: string;
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
  previous_secret_ciphertext: Buffer | null;
  previous_secret_iv: Buffer | null;
  previous_secret_tag: Buffer | null;
  previous_data_key_wrapped: Buffer | null;
  previous_master_key_id: string | null;
  previous_secret_expires_at: Date | null;
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

/** The previous secret of a row, when one is kept (after a rotation with a grace period). */
export const previousSealedOf = (r: Pick<SubscriptionRow, 'previous_secret_ciphertext' | 'previous_secret_iv' | 'previous_secret_tag' | 'previous_data_key_wrapped' | 'previous_master_key_id'>): SealedSecret | undefined =>
  r.previous_secret_ciphertext && r.previous_secret_iv && r.previous_secret_tag && r.previous_data_key_wrapped && r.previous_master_key_id
    ? { ciphertext: r.previous_secret_ciphertext, iv: r.previous_secret_iv, tag: r.previous_secret_tag, wrappedKey: r.previous_data_key_wrapped, masterKeyId: r.previous_master_key_id }
    : undefined;

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  eventTypes: r.event_types,
  enabled: r.enabled,
  masterKeyId: r.master_key_id,
  previousSecretExpiresAt: r.previous_secret_expires_at && r.previous_secret_expires_at > new Date() ? r.previous_secret_expires_at.toISOString() : undefined,
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

  /**
   * Replaces the secret: the next attempt is signed with the new one and, for `graceMs` (0: not at all), also with
   * the current one, kept sealed as the previous secret. Undefined when there is no such subscription.
   */
  async rotateSecret(manager: EntityManager, cipher: EnvelopeCipher, id: string, secret: string, graceMs: number): Promise<Subscription | undefined> {
    const sealed = cipher.encrypt(secret, id);
    const keep = graceMs > 0;
    const rows = returnedRows<SubscriptionRow>(await manager.query(
      `UPDATE ${this.table} SET
         previous_secret_ciphertext = CASE WHEN $7 THEN secret_ciphertext END, previous_secret_iv = CASE WHEN $7 THEN secret_iv END,
         previous_secret_tag = CASE WHEN $7 THEN secret_tag END, previous_data_key_wrapped = CASE WHEN $7 THEN data_key_wrapped END,
         previous_master_key_id = CASE WHEN $7 THEN master_key_id END,
         previous_secret_expires_at = CASE WHEN $7 THEN clock_timestamp() + $8 * interval '1 millisecond' END,
         secret_ciphertext = $2, secret_iv = $3, secret_tag = $4, data_key_wrapped = $5, master_key_id = $6, updated_at = clock_timestamp()
       WHERE id = $1 RETURNING *`,
      [id, sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey, sealed.masterKeyId, keep, graceMs],
    ));
    return rows[0] ? toSubscription(rows[0]) : undefined;
  }

  /** Re-wraps every data key under the current master key (master-key rotation). Returns how many rows changed. */
  async rewrapAll(manager: EntityManager, cipher: EnvelopeCipher): Promise<number> {
    const rows: SubscriptionRow[] = await manager.query(`SELECT * FROM ${this.table} WHERE master_key_id <> $1 OR previous_master_key_id <> $1 FOR UPDATE`, [cipher.currentKeyId]);
    for (const row of rows) {
      const sealed = cipher.rewrap(sealedOf(row), row.id);
      const previous = previousSealedOf(row);
      const rewrappedPrevious = previous && cipher.rewrap(previous, row.id);
      await manager.query(`UPDATE ${this.table} SET data_key_wrapped = $2, master_key_id = $3, previous_data_key_wrapped = $4, previous_master_key_id = $5 WHERE id = $1`, [
        row.id,
        sealed.wrappedKey,
        sealed.masterKeyId,
        rewrappedPrevious?.wrappedKey ?? null,
        rewrappedPrevious?.masterKeyId ?? null,
      ]);
    }
    return rows.length;
  }
}
