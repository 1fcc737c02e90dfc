/**
 * Topic names: one grammar `ksef.<area>.<event>.v<major>`. Dead-letter topics are derived, never typed by hand.
 * Topics are created explicitly (broker auto-creation is off) from TOPIC_SPECS.
 */
export const TOPICS = {
  /** ERP → intake: invoices published by ERPs (the Kafka door). Keyed by ERP document id. */
  erpInvoiceSubmitted: 'ksef.erp.invoice-submitted.v1',
  /** intake → Kafka-door publishers: an ERP message that could not be taken in. */
  intakeRejected: 'ksef.intake.rejected.v1',
  /** intake → validator: an invoice stored and waiting for validation. Keyed by invoice id. */
  invoiceReceived: 'ksef.invoice.received.v1',
  /** validator → sender (and intake, which records the state): a valid invoice ready to send. Keyed by KSeF context NIP (one owner per context). */
  invoiceValidated: 'ksef.invoice.validated.v1',
  /** validator → intake: an invoice that failed the XSD or a business rule, with every failure. Keyed by invoice id. */
  invoiceInvalid: 'ksef.invoice.invalid.v1',
  /** intake → anyone following invoices (notifier, panel): every state transition. Keyed by invoice id. */
  invoiceStatusChanged: 'ksef.invoice.status-changed.v1',
  /** sender → status-poller (and intake: SENT): an invoice KSeF received. Keyed by invoice id. */
  invoiceSubmitted: 'ksef.invoice.submitted.v1',
  /** status-poller → intake (PROCESSING): KSeF is processing the invoice and has no verdict yet. Keyed by invoice id. */
  invoiceProcessing: 'ksef.invoice.processing.v1',
  /** Final outcomes for downstream accounting and the notifier. Keyed by invoice id. */
  invoiceAccepted: 'ksef.invoice.accepted.v1',
  /** status-poller → intake, notifier: the UPO of an invoice accepted earlier with `upoPending` (KSeF issued it late). Keyed by invoice id. */
  invoiceUpoReceived: 'ksef.invoice.upo-received.v1',
  invoiceRejected: 'ksef.invoice.rejected.v1',
  invoiceEscalated: 'ksef.invoice.escalated.v1',
  /** PUBLIC (docs/events.md), notifier → downstream accounting: final outcomes in a stable, tenant-facing shape. Keyed by invoice id. */
  notificationInvoiceAccepted: 'ksef.notifications.invoice-accepted.v1',
  notificationInvoiceRejected: 'ksef.notifications.invoice-rejected.v1',
  notificationInvoiceEscalated: 'ksef.notifications.invoice-escalated.v1',
  /** PUBLIC: the UPO of an invoice accepted earlier with its UPO pending. Keyed by invoice id. */
  notificationInvoiceUpoAvailable: 'ksef.notifications.invoice-upo-available.v1',
  /** sender → notifier, operators: one KSeF endpoint's availability changed (AVAILABLE / DEGRADED / UNAVAILABLE). Keyed by endpoint. */
  ksefAvailabilityChanged: 'ksef.ksef-availability.changed.v1',
  /** PUBLIC: KSeF availability changed (one per transition; tenant `*`). Keyed by endpoint. */
  notificationKsefAvailabilityChanged: 'ksef.notifications.ksef-availability-changed.v1',
  /** sender → notifier: what KSeF announces (Latarnia) changed while the sender's own state did not. Keyed by endpoint. */
  ksefAvailabilityAnnouncementChanged: 'ksef.ksef-availability.announcement-changed.v1',
  /** PUBLIC: what the Ministry announces about KSeF changed (one per change; tenant `*`). Keyed by endpoint. */
  notificationKsefAnnouncementChanged: 'ksef.notifications.ksef-announcement-changed.v1',
  /** notifier → operators: a webhook delivery gave up (DEAD); `redeliver-webhooks` re-queues it. Keyed by invoice id. */
  notifierWebhookDeadLettered: 'ksef.notifier.webhook-dead-lettered.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

const DLT_SUFFIX = '.dlt';

/** The dead-letter topic of `topic`: `<topic>.dlt`. */
export function deadLetterTopic(topic: string): string {
  if (topic.endsWith(DLT_SUFFIX)) throw new Error(`'${topic}' is already a dead-letter topic`);
  return `${topic}${DLT_SUFFIX}`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DLT_SUFFIX);
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in ms; -1 keeps forever. */
  retentionMs: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Every topic the system owns, with its dead-letter twin (longer retention: a person must look at it). */
export function topicSpecs(partitions = 6): TopicSpec[] {
  return topicSpecsOf(Object.values(TOPICS), partitions);
}

/** The specs of `names` with their dead-letter twins, on the same terms as `topicSpecs` (e.g. for a service's own topics). */
export function topicSpecsOf(names: readonly string[], partitions = 6): TopicSpec[] {
  return names.flatMap((name) => [
    { name, partitions, retentionMs: WEEK_MS },
    { name: deadLetterTopic(name), partitions: 1, retentionMs: 4 * WEEK_MS },
  ]);
}
