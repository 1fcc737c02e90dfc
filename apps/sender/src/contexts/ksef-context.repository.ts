import type { EntityManager } from 'typeorm';
import { returnedRows } from '../infrastructure/returned-rows';
import type { SealedSecret, TokenCipher } from './token-cipher';

export interface KsefContextRow {
  nip: string;
  tenantId: string;
  sealed: SealedSecret;
  enabled: boolean;
  /** Changes when the credentials change: cached clients are rebuilt. */
  updatedAt: string;
}

interface Row {
  nip: string;
  tenant_id: string;
  token_ciphertext: Buffer;
  token_iv: Buffer;
  token_tag: Buffer;
  data_key_wrapped: Buffer;
  master_key_id: string;
  enabled: boolean;
  updated_at: Date;
}

const toContext = (r: Row): KsefContextRow => ({
  nip: r.nip,
  tenantId: r.tenant_id,
  enabled: r.enabled,
  updatedAt: r.updated_at.toISOString(),
  sealed: { ciphertext: r.token_ciphertext, iv: r.token_iv, tag: r.token_tag, wrappedKey: r.data_key_wrapped, masterKeyId: r.master_key_id },
});

/** KSeF contexts (NIP → tenant, KSeF token sealed by `TokenCipher`) and the lease saying which sender owns one. */
export class KsefContextRepository {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `"${schema}".ksef_contexts`;
  }

  /** Registers a context or replaces its token (the token is sealed here; it never reaches the database in clear). */
  async upsert(manager: EntityManager, cipher: TokenCipher, input: { nip: string; tenantId: string; token: string }): Promise<void> {
    const sealed = cipher.encrypt(input.token, input.nip);
    await manager.query(
      `INSERT INTO ${this.table} (nip, tenant_id, token_ciphertext, token_iv, token_tag, data_key_wrapped, master_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (nip) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, token_ciphertext = EXCLUDED.token_ciphertext, token_iv = EXCLUDED.token_iv,
         token_tag = EXCLUDED.token_tag, data_key_wrapped = EXCLUDED.data_key_wrapped, master_key_id = EXCLUDED.master_key_id, enabled = true, updated_at = clock_timestamp()`,
      [input.nip, input.tenantId, sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey, sealed.masterKeyId],
    );
  }

  async find(manager: EntityManager, nip: string): Promise<KsefContextRow | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE nip = $1`, [nip]);
    return rows[0] ? toContext(rows[0]) : undefined;
  }

  /**
   * Leases up to `limit` enabled contexts that have due jobs and are free (or already ours) for `leaseMs`. Only the
   * lease holder sends for a context, so its session and rate-limit budget have one owner even with several replicas.
   */
  async leaseDue(manager: EntityManager, jobsTable: string, owner: string, leaseMs: number, limit: number): Promise<KsefContextRow[]> {
    const rows = returnedRows<Row>(await manager.query(
      `UPDATE ${this.table} c SET lease_owner = $1, lease_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE c.nip IN (
         SELECT x.nip FROM ${this.table} x
         WHERE x.enabled AND (x.lease_until IS NULL OR x.lease_until < clock_timestamp() OR x.lease_owner = $1)
           AND EXISTS (
             SELECT 1 FROM ${jobsTable} j WHERE j.context_nip = x.nip AND j.next_attempt_at <= clock_timestamp()
               AND (j.state = 'QUEUED' OR (j.state = 'SENDING' AND j.lease_until < clock_timestamp())))
         ORDER BY x.nip LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING c.*`,
      [owner, leaseMs, limit],
    ));
    return rows.map(toContext);
  }

  /**
   * Extends `owner`'s lease of one context; false when the lease is no longer `owner`'s (it ran out and another
   * instance took the context). Called before every send, so a long round never outlives its lease: another sender
   * could otherwise send for the same context through a second session and a second rate-limit budget.
   */
  async renewLease(manager: EntityManager, nip: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = returnedRows<{ nip: string }>(await manager.query(
      `UPDATE ${this.table} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       WHERE nip = $1 AND lease_owner = $2 AND lease_until >= clock_timestamp() RETURNING nip`,
      [nip, owner, leaseMs],
    ));
    return rows.length === 1;
  }

  /** Gives leases back (shutdown), so another instance takes the contexts over at once. */
  async release(manager: EntityManager, owner: string): Promise<void> {
    await manager.query(`UPDATE ${this.table} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, [owner]);
  }

  /** Re-wraps every data key under the current master key (rotation). Returns how many rows changed. */
  async rewrapAll(manager: EntityManager, cipher: TokenCipher): Promise<number> {
    const rows: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE master_key_id <> $1 FOR UPDATE`, [cipher.currentKeyId]);
    for (const row of rows) {
      const sealed = cipher.rewrap(toContext(row).sealed, row.nip);
      await manager.query(`UPDATE ${this.table} SET data_key_wrapped = $2, master_key_id = $3 WHERE nip = $1`, [row.nip, sealed.wrappedKey, sealed.masterKeyId]);
    }
    return rows.length;
  }
}
