import { Module } from '@nestjs/common';
import { parseMasterKey } from '@ksef-bridge/secrets';
import { config, platform } from './config/notifier.config';
import { notifierAppModule } from './notifier.module';
import { DEFAULT_NOTIFIER_TOPICS, type NotifierSettings } from './notifier.settings';

/** Notifier settings from the environment. */
export function notifierSettingsFromConfig(): NotifierSettings {
  return {
    schema: platform.schema,
    topics: DEFAULT_NOTIFIER_TOPICS,
    consumerGroupPrefix: '',
    production: config.production,
    masterKey: parseMasterKey(config.NOTIFIER_MASTER_KEY),
    previousMasterKeys: config.NOTIFIER_PREVIOUS_MASTER_KEYS.map(parseMasterKey),
    retry: {
      baseDelayMs: config.NOTIFIER_WEBHOOK_RETRY_BASE_MS,
      maxDelayMs: config.NOTIFIER_WEBHOOK_RETRY_MAX_MS,
      jitter: config.NOTIFIER_WEBHOOK_RETRY_JITTER,
      maxAttempts: config.NOTIFIER_WEBHOOK_MAX_ATTEMPTS,
    },
    delivery: { timeoutMs: config.NOTIFIER_WEBHOOK_TIMEOUT_MS, upoInlineMaxBytes: config.NOTIFIER_WEBHOOK_UPO_INLINE_MAX_BYTES, upoLinkBaseUrl: config.NOTIFIER_UPO_LINK_BASE_URL },
    scheduler: { pollIntervalMs: config.NOTIFIER_POLL_INTERVAL_MS, batchSize: config.NOTIFIER_BATCH_SIZE, leaseMs: config.NOTIFIER_LEASE_MS },
  };
}

/** Publishes accepted / rejected / escalated events and delivers signed webhooks (docs/notifier.md). */
@Module({ imports: [notifierAppModule(platform, notifierSettingsFromConfig())] })
export class NotifierModule {}
