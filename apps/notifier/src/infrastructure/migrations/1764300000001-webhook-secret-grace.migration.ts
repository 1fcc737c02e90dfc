import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The previous signing secret of a subscription after `rotate-webhook-secret`, kept (sealed the same way) until
 * `previous_secret_expires_at`: until then every webhook is signed with both, so the tenant can switch its receiver
 * to the new secret without refusing a single delivery.
 */
export function webhookSecretGraceMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class WebhookSecretGrace1764300000001 implements MigrationInterface {
    name = 'WebhookSecretGrace1764300000001';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.webhook_subscriptions
        ADD COLUMN previous_secret_ciphertext bytea,
        ADD COLUMN previous_secret_iv bytea CHECK (octet_length(previous_secret_iv) = 12),
        ADD COLUMN previous_secret_tag bytea CHECK (octet_length(previous_secret_tag) = 16),
        ADD COLUMN previous_data_key_wrapped bytea CHECK (octet_length(previous_data_key_wrapped) = 60),
        ADD COLUMN previous_master_key_id text,
        ADD COLUMN previous_secret_expires_at timestamptz,
        ADD CONSTRAINT webhook_subscriptions_previous_secret_complete CHECK (
          (previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL)
          AND (previous_secret_ciphertext IS NULL) = (previous_master_key_id IS NULL))`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.webhook_subscriptions DROP CONSTRAINT webhook_subscriptions_previous_secret_complete,
        DROP COLUMN previous_secret_ciphertext, DROP COLUMN previous_secret_iv, DROP COLUMN previous_secret_tag,
        DROP COLUMN previous_data_key_wrapped, DROP COLUMN previous_master_key_id, DROP COLUMN previous_secret_expires_at`);
    }
  }
  return [WebhookSecretGrace1764300000001];
}
