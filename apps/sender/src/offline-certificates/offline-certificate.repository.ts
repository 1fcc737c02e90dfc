import type { EntityManager } from 'typeorm';
import type { SigningAlgorithm } from '@ksef-bridge/qr-codes';
import type { SealedSecret, TokenCipher } from '../contexts/token-cipher';
import { returnedRows } from '../infrastructure/returned-rows';
import type { CheckedOfflineCertificate } from './offline-certificate';

/** What may be shown about a stored Offline certificate (never the key). */
export interface OfflineCertificateInfo {
  contextNip: string;
  serial: string;
  algorithm: SigningAlgorithm;
  validFrom: Date;
  validTo: Date;
}

export interface OfflineCertificateRow extends OfflineCertificateInfo {
  tenantId: string;
  contextEnabled: boolean;
  certificatePem: string;
  sealedKey: SealedSecret;
}

interface Row {
  context_nip: string;
  tenant_id: string;
  enabled: boolean;
  certificate_pem: string;
  serial: string;
  algorithm: SigningAlgorithm;
  valid_from: Date;
  valid_to: Date;
  key_ciphertext: Buffer;
  key_iv: Buffer;
  key_tag: Buffer;
  data_key_wrapped: Buffer;
  master_key_id: string;
}

/**
 * The AAD of an Offline key: bound to the context NIP and to its purpose, so neither another context's key nor the
 * context's own auth credentials (sealed with the bare NIP) can be swapped onto this row and still decrypt.
 */
/**
 * One enabled context as the expiry gauges see it: its certificate's validity (null without one) and whether it has
 * offline invoices not yet in KSeF (it is issuing offline now, so it needs KOD II now).
 */
export interface OfflineCertificateStatus {
  contextNip: string;
  tenantId: string;
  validFrom: Date | null;
  validTo: Date | null;
  issuingOffline: boolean;
}

export const offlineKeyContext = (nip: string): string => `offline-certificate:${nip}`;

const toRow = (r: Row): OfflineCertificateRow => ({
  contextNip: r.context_nip,
  tenantId: r.tenant_id,
  contextEnabled: r.enabled,
  certificatePem: r.certificate_pem,
  serial: r.serial,
  algorithm: r.algorithm,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  sealedKey: { ciphertext: r.key_ciphertext, iv: r.key_iv, tag: r.key_tag, wrappedKey: r.data_key_wrapped, masterKeyId: r.master_key_id },
});

/** Offline certificates per KSeF context; the private key is sealed by `TokenCipher` here and never stored in clear. */
export class OfflineCertificateRepository {
  private readonly table: string;
  private readonly contexts: string;
  private readonly jobs: string;

  constructor(schema: string) {
    this.table = `"${schema}".offline_certificates`;
    this.contexts = `"${schema}".ksef_contexts`;
    this.jobs = `"${schema}".send_jobs`;
  }

  /** Registers or replaces the context's Offline certificate (the context must exist: foreign key). */
  async upsert(manager: EntityManager, cipher: TokenCipher, nip: string, checked: CheckedOfflineCertificate): Promise<void> {
    const sealed = cipher.encrypt(checked.privateKeyPem, offlineKeyContext(nip));
    await manager.query(
      `INSERT INTO ${this.table} (context_nip, certificate_pem, serial, algorithm, valid_from, valid_to, key_ciphertext, key_iv, key_tag, data_key_wrapped, master_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (context_nip) DO UPDATE SET certificate_pem = EXCLUDED.certificate_pem, serial = EXCLUDED.serial, algorithm = EXCLUDED.algorithm,
         valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to, key_ciphertext = EXCLUDED.key_ciphertext, key_iv = EXCLUDED.key_iv,
         key_tag = EXCLUDED.key_tag, data_key_wrapped = EXCLUDED.data_key_wrapped, master_key_id = EXCLUDED.master_key_id, updated_at = clock_timestamp()`,
      [nip, checked.certificatePem, checked.serial, checked.algorithm, checked.validFrom, checked.validTo, sealed.ciphertext, sealed.iv, sealed.tag, sealed.wrappedKey, sealed.masterKeyId],
    );
  }

  /** The context's certificate with its owner tenant, or undefined when none is registered. */
  async find(manager: EntityManager, nip: string): Promise<OfflineCertificateRow | undefined> {
    const rows: Row[] = await manager.query(
      `SELECT o.*, c.tenant_id, c.enabled FROM ${this.table} o JOIN ${this.contexts} c ON c.nip = o.context_nip WHERE o.context_nip = $1`,
      [nip],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /**
   * Every enabled context that has an Offline certificate or unsent offline invoices (never the key: only validity).
   * A handful of rows per context; the offline half is the partial index `send_jobs_offline_unsent`.
   */
  async statuses(manager: EntityManager): Promise<OfflineCertificateStatus[]> {
    const rows: Array<{ nip: string; tenant_id: string; valid_from: Date | null; valid_to: Date | null; issuing_offline: boolean }> = await manager.query(
      `WITH offline AS (
         SELECT DISTINCT context_nip FROM ${this.jobs} WHERE offline_mode IS NOT NULL AND state IN ('QUEUED', 'SENDING', 'ESCALATED')
       )
       SELECT c.nip, c.tenant_id, o.valid_from, o.valid_to, (f.context_nip IS NOT NULL) AS issuing_offline
       FROM ${this.contexts} c
       LEFT JOIN ${this.table} o ON o.context_nip = c.nip
       LEFT JOIN offline f ON f.context_nip = c.nip
       WHERE c.enabled AND (o.context_nip IS NOT NULL OR f.context_nip IS NOT NULL)
       ORDER BY c.nip`,
    );
    return rows.map((r) => ({ contextNip: r.nip, tenantId: r.tenant_id, validFrom: r.valid_from, validTo: r.valid_to, issuingOffline: r.issuing_offline }));
  }

  /** Removes the context's certificate; false when it had none. */
  async remove(manager: EntityManager, nip: string): Promise<boolean> {
    return returnedRows(await manager.query(`DELETE FROM ${this.table} WHERE context_nip = $1 RETURNING context_nip`, [nip])).length === 1;
  }

  /** Re-wraps every data key under the current master key (rotation, `rewrap-keys`). Returns how many rows changed. */
  async rewrapAll(manager: EntityManager, cipher: TokenCipher): Promise<number> {
    const rows: Row[] = await manager.query(
      `SELECT o.*, c.tenant_id, c.enabled FROM ${this.table} o JOIN ${this.contexts} c ON c.nip = o.context_nip WHERE o.master_key_id <> $1 FOR UPDATE OF o`,
      [cipher.currentKeyId],
    );
    for (const row of rows) {
      const sealed = cipher.rewrap(toRow(row).sealedKey, offlineKeyContext(row.context_nip));
      await manager.query(`UPDATE ${this.table} SET data_key_wrapped = $2, master_key_id = $3 WHERE context_nip = $1`, [row.context_nip, sealed.wrappedKey, sealed.masterKeyId]);
    }
    return rows.length;
  }
}
