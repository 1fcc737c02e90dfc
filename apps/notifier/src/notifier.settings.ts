import { TOPICS } from '@ksef-bridge/contracts';
import { EnvelopeCipher } from '@ksef-bridge/secrets';
import type { WebhookRetryPolicy } from './domain/retry-backoff';

/** The topics the notifier speaks on; tests pass random names, production uses TOPICS. */
export interface NotifierTopics {
  invoiceAccepted: string;
  invoiceRejected: string;
  invoiceEscalated: string;
  invoiceInvalid: string;
  invoiceUpoReceived: string;
  notificationInvoiceAccepted: string;
  notificationInvoiceRejected: string;
  notificationInvoiceEscalated: string;
  notificationInvoiceUpoAvailable: string;
  webhookDeadLettered: string;
}

export const DEFAULT_NOTIFIER_TOPICS: NotifierTopics = {
  invoiceAccepted: TOPICS.invoiceAccepted,
  invoiceRejected: TOPICS.invoiceRejected,
  invoiceEscalated: TOPICS.invoiceEscalated,
  invoiceInvalid: TOPICS.invoiceInvalid,
  invoiceUpoReceived: TOPICS.invoiceUpoReceived,
  notificationInvoiceAccepted: TOPICS.notificationInvoiceAccepted,
  notificationInvoiceRejected: TOPICS.notificationInvoiceRejected,
  notificationInvoiceEscalated: TOPICS.notificationInvoiceEscalated,
  notificationInvoiceUpoAvailable: TOPICS.notificationInvoiceUpoAvailable,
  webhookDeadLettered: TOPICS.notifierWebhookDeadLettered,
};

/** Behaviour settings of the notifier (from config in production, chosen by tests). */
export interface NotifierSettings {
  schema: string;
  topics: NotifierTopics;
  /** Prepended to consumer group ids; '' in production, unique per test. */
  consumerGroupPrefix: string;
  /** NODE_ENV=production: https-only webhook URLs. */
  production: boolean;
  masterKey: Buffer;
  previousMasterKeys: Buffer[];
  retry: WebhookRetryPolicy;
  /** `upoLinkBaseUrl`: intake's public base URL, for `upo.href` in webhooks; unset: no link. */
  delivery: { timeoutMs: number; upoInlineMaxBytes: number; upoLinkBaseUrl?: string };
  scheduler: { pollIntervalMs: number; batchSize: number; leaseMs: number };
  /** KSeF availability: the sender's topics and the public ones; default TOPICS (tests pass random names). */
  availabilityTopics?: { source: string; public: string; announcementSource?: string; announcementPublic?: string };
}

export const NOTIFIER_SETTINGS = Symbol('NOTIFIER_SETTINGS');

/** The cipher of webhook secrets: its own labels, so nothing sealed for another use (KSeF tokens) opens here. */
export function webhookSecretCipher(masterKey: Buffer, previous: readonly Buffer[] = []): EnvelopeCipher {
  return new EnvelopeCipher(masterKey, previous, {
    secretLabel: 'notifier-webhook-secret',
    dataKeyLabel: 'notifier-webhook-data-key',
    keyIdLabel: 'ksef-bridge notifier master key',
    previousKeysVariable: 'NOTIFIER_PREVIOUS_MASTER_KEYS',
  });
}
