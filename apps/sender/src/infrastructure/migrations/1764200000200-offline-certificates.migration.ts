import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KSeF certificates of type Offline per context (issue #7, KOD II). The certificate is public and kept in clear (with
 * its serial and validity, for the link and for refusing an expired one without opening the key); the private key
 * is sealed exactly like the context's auth credentials (envelope encryption under the sender's master key, columns
 * of the same shape, its own AAD label). One certificate per context; removing the context removes it.
 */
export function offlineCertificateMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class OfflineCertificates1764200000200 implements MigrationInterface {
    name = 'OfflineCertificates1764200000200';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.offline_certificates (
        context_nip text PRIMARY KEY REFERENCES ${s}.ksef_contexts (nip) ON DELETE CASCADE,
        certificate_pem text NOT NULL CHECK (certificate_pem LIKE '-----BEGIN CERTIFICATE-----%'),
        serial text NOT NULL CHECK (serial ~ '^[0-9A-F]+$'),
        algorithm text NOT NULL CHECK (algorithm IN ('RSASSA-PSS', 'ECDSA-P256')),
        valid_from timestamptz NOT NULL,
        valid_to timestamptz NOT NULL CHECK (valid_to > valid_from),
        key_ciphertext bytea NOT NULL,
        key_iv bytea NOT NULL CHECK (octet_length(key_iv) = 12),
        key_tag bytea NOT NULL CHECK (octet_length(key_tag) = 16),
        data_key_wrapped bytea NOT NULL CHECK (octet_length(data_key_wrapped) = 60),
        master_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.offline_certificates`);
    }
  }
  return [OfflineCertificates1764200000200];
}
