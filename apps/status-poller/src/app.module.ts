import { Module } from '@nestjs/common';
import { config, platform } from './config/status-poller.config';
import { statusPollerAppModule } from './status-poller.module';
import { DEFAULT_STATUS_POLLER_TOPICS, type StatusPollerSettings } from './status-poller.settings';

/** Status-poller settings from the environment. */
export function statusPollerSettingsFromConfig(): StatusPollerSettings {
  return {
    schema: platform.schema,
    topics: DEFAULT_STATUS_POLLER_TOPICS,
    consumerGroupPrefix: '',
    ksef: { baseUrl: config.KSEF_BASE_URL, rateLimits: config.KSEF_RATE_LIMITS, timeoutMs: config.KSEF_TIMEOUT_MS },
    sender: { url: config.SENDER_URL, token: config.INTERNAL_API_TOKEN, timeoutMs: config.SENDER_TOKEN_TIMEOUT_MS },
    policy: {
      backoff: { delaysMs: config.POLLER_BACKOFF_MS, jitter: config.POLLER_JITTER },
      verdictDeadlineMs: config.POLLER_VERDICT_DEADLINE_MS,
      upoWaitMs: config.POLLER_UPO_WAIT_MS,
      upoLateIntervalMs: config.POLLER_UPO_LATE_INTERVAL_MS,
      escalatedIntervalMs: config.POLLER_ESCALATED_INTERVAL_MS,
      escalatedWatchMs: config.POLLER_ESCALATED_WATCH_MS,
    },
    scheduler: {
      intervalMs: config.POLLER_INTERVAL_MS,
      batchSize: config.POLLER_BATCH_SIZE,
      leaseMs: config.POLLER_LEASE_MS,
      listMinRows: config.POLLER_LIST_MIN_ROWS,
      parallelSessions: config.POLLER_PARALLEL_SESSIONS,
      sessionUpoMinRows: config.POLLER_SESSION_UPO_MIN_ROWS,
    },
  };
}

/** Follows submitted invoices to a KSeF number and UPO, or a rejection (docs/status-poller.md). */
@Module({ imports: [statusPollerAppModule(platform, statusPollerSettingsFromConfig())] })
export class StatusPollerModule {}
