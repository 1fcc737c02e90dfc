import { Module } from '@nestjs/common';
import { config, platform } from './config/sender.config';
import { latarniaUrlFor } from './availability/latarnia-url';
import { parseMasterKey } from './contexts/token-cipher';
import { senderAppModule } from './sender.module';
import { DEFAULT_SENDER_TOPICS, type SenderSettings } from './sender.settings';

/** Sender settings from the environment. */
export function senderSettingsFromConfig(): SenderSettings {
  return {
    schema: platform.schema,
    topics: DEFAULT_SENDER_TOPICS,
    consumerGroupPrefix: '',
    ksef: { baseUrl: config.KSEF_BASE_URL, rateLimits: config.KSEF_RATE_LIMITS, timeoutMs: config.KSEF_TIMEOUT_MS },
    intake: { url: config.INTAKE_URL, token: config.INTERNAL_API_TOKEN, timeoutMs: config.CLAIM_CHECK_TIMEOUT_MS },
    internalApi: { token: config.INTERNAL_API_TOKEN, requireToken: config.NODE_ENV === 'production' },
    masterKey: parseMasterKey(config.SENDER_MASTER_KEY),
    previousMasterKeys: config.SENDER_PREVIOUS_MASTER_KEYS.map(parseMasterKey),
    retry: {
      delaysMs: config.SENDER_RETRY_DELAYS_MS,
      multiplier: config.SENDER_RETRY_MULTIPLIER,
      maxDelayMs: config.SENDER_RETRY_MAX_DELAY_MS,
      jitter: config.SENDER_RETRY_JITTER,
      maxAttempts: config.SENDER_MAX_ATTEMPTS,
    },
    scheduler: { pollIntervalMs: config.SENDER_POLL_INTERVAL_MS, batchSize: config.SENDER_BATCH_SIZE, leaseMs: config.SENDER_LEASE_MS, contextsPerRound: 8 },
    sessionMaxInvoices: config.SENDER_SESSION_MAX_INVOICES,
    sessionIdleCloseMs: config.SENDER_SESSION_IDLE_CLOSE_MS,
    breaker: { failures: config.SENDER_BREAKER_FAILURES, openMs: config.SENDER_BREAKER_OPEN_MS },
    batch: {
      backlogThreshold: config.SENDER_BATCH_BACKLOG_THRESHOLD,
      queueAgeMs: config.SENDER_BATCH_QUEUE_AGE_MS,
      maxInvoices: config.SENDER_BATCH_MAX_INVOICES,
      maxBytes: config.SENDER_BATCH_MAX_BYTES,
    },
    offlineWarnBeforeMs: config.SENDER_OFFLINE_WARN_BEFORE_MS,
    availability: {
      probeIntervalMs: config.SENDER_AVAILABILITY_PROBE_INTERVAL_MS,
      probeTimeoutMs: config.SENDER_AVAILABILITY_PROBE_TIMEOUT_MS,
      tickMs: 1_000,
      degradedAfterMs: config.SENDER_AVAILABILITY_DEGRADED_AFTER_MS,
      confirmMs: config.SENDER_AVAILABILITY_CONFIRM_MS,
      recoverMs: config.SENDER_AVAILABILITY_RECOVER_MS,
      latarniaUrl: latarniaUrlFor(config.KSEF_BASE_URL, config.KSEF_LATARNIA_URL),
    },
  };
}

/** The only service that talks to KSeF (docs/sender.md). */
@Module({ imports: [senderAppModule(platform, senderSettingsFromConfig())] })
export class SenderModule {}
