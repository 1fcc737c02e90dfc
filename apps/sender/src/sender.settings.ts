import { TOPICS } from '@ksef-bridge/contracts';
import type { AvailabilitySettings } from './availability/availability.settings';
import type { RetrySchedule } from './domain/retry-schedule';
import type { BatchSettings } from './send-invoice/batch-policy';

/** The topics the sender speaks on; tests pass random names, production uses TOPICS. */
export interface SenderTopics {
  invoiceValidated: string;
  invoiceSubmitted: string;
  invoiceRejected: string;
  invoiceEscalated: string;
}

export const DEFAULT_SENDER_TOPICS: SenderTopics = {
  invoiceValidated: TOPICS.invoiceValidated,
  invoiceSubmitted: TOPICS.invoiceSubmitted,
  invoiceRejected: TOPICS.invoiceRejected,
  invoiceEscalated: TOPICS.invoiceEscalated,
};

/** Behaviour settings of the sender (from config in production, chosen by tests). */
export interface SenderSettings {
  schema: string;
  topics: SenderTopics;
  /** Prepended to consumer group ids; '' in production, unique per test. */
  consumerGroupPrefix: string;
  ksef: { baseUrl: string; rateLimits: 'production' | 'te' | 'off'; timeoutMs: number; authPollIntervalMs?: number };
  intake: { url: string; token?: string; timeoutMs: number };
  /** The sender's own `/internal/*` routes: bearer token, and whether they close when it is unset (production). */
  internalApi: { token?: string; requireToken: boolean };
  masterKey: Buffer;
  previousMasterKeys: Buffer[];
  retry: RetrySchedule;
  scheduler: { pollIntervalMs: number; batchSize: number; leaseMs: number; contextsPerRound: number };
  sessionMaxInvoices: number;
  /** Close a context's session after this long without sends. */
  sessionIdleCloseMs: number;
  breaker: { failures: number; openMs: number };
  /** The switch to batch sessions (thresholds, package size). */
  batch: BatchSettings;
  /** KSeF availability monitoring; default DEFAULT_AVAILABILITY_SETTINGS. */
  availability?: AvailabilitySettings;
  /** An unsent offline invoice this close to its legal deadline is due-soon; default DEFAULT_WARN_BEFORE_MS (4 h). */
  offlineWarnBeforeMs?: number;
  /** Topic of `ksef-availability.changed`; default TOPICS.ksefAvailabilityChanged (tests pass a random one). */
  availabilityTopic?: string;
  /** Topic of `ksef-availability.announcement-changed`; default TOPICS.ksefAvailabilityAnnouncementChanged (tests pass a random one). */
  availabilityAnnouncementTopic?: string;
}

export const SENDER_SETTINGS = Symbol('SENDER_SETTINGS');
