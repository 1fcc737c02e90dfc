// Message contracts: topic names, the envelope, versioned message schemas. Depends on zod only.
export { HEADER, envelopeSchema } from './lib/envelope';
export type { Envelope } from './lib/envelope';
export { TOPICS, deadLetterTopic, isDeadLetterTopic, topicSpecs, topicSpecsOf } from './lib/topics';
export type { TopicName, TopicSpec } from './lib/topics';
export { defineMessage } from './lib/message-contract';
export type { MessageContract } from './lib/message-contract';
export {
  INVOICE_STATES,
  invoiceStateSchema,
  invoiceIdSchema,
  erpDocumentIdSchema,
  nipSchema,
  invoiceMetadataSchema,
  documentRefSchema,
  invoiceFormSchema,
  validationIssueSchema,
  OFFLINE_ISSUE_MODES,
  offlineIssueSchema,
  hashOfCorrectedInvoiceSchema,
} from './lib/messages/shared/invoice-fields.schema';
export type { DocumentRef, ValidationIssue, OfflineIssue } from './lib/messages/shared/invoice-fields.schema';
export { erpInvoiceSubmitted, erpInvoiceSubmittedPayload } from './lib/messages/erp-invoice-submitted/erp-invoice-submitted.message';
export type { ErpInvoiceSubmitted } from './lib/messages/erp-invoice-submitted/erp-invoice-submitted.message';
export { intakeRejected, intakeRejectedPayload } from './lib/messages/intake-rejected/intake-rejected.message';
export type { IntakeRejected } from './lib/messages/intake-rejected/intake-rejected.message';
export { invoiceReceived, invoiceReceivedPayload } from './lib/messages/invoice-received/invoice-received.message';
export type { InvoiceReceived } from './lib/messages/invoice-received/invoice-received.message';
export { invoiceValidated, invoiceValidatedPayload } from './lib/messages/invoice-validated/invoice-validated.message';
export type { InvoiceValidated } from './lib/messages/invoice-validated/invoice-validated.message';
export { invoiceInvalid, invoiceInvalidPayload } from './lib/messages/invoice-invalid/invoice-invalid.message';
export type { InvoiceInvalid } from './lib/messages/invoice-invalid/invoice-invalid.message';
export { invoiceStatusChanged, invoiceStatusChangedPayload } from './lib/messages/invoice-status-changed/invoice-status-changed.message';
export type { InvoiceStatusChanged } from './lib/messages/invoice-status-changed/invoice-status-changed.message';
export { invoiceSubmitted, invoiceSubmittedPayload } from './lib/messages/invoice-submitted/invoice-submitted.message';
export type { InvoiceSubmitted } from './lib/messages/invoice-submitted/invoice-submitted.message';
export { invoiceRejected, invoiceRejectedPayload } from './lib/messages/invoice-rejected/invoice-rejected.message';
export type { InvoiceRejected } from './lib/messages/invoice-rejected/invoice-rejected.message';
export { invoiceEscalated, invoiceEscalatedPayload } from './lib/messages/invoice-escalated/invoice-escalated.message';
export type { InvoiceEscalated } from './lib/messages/invoice-escalated/invoice-escalated.message';
export { invoiceProcessing, invoiceProcessingPayload } from './lib/messages/invoice-processing/invoice-processing.message';
export type { InvoiceProcessing } from './lib/messages/invoice-processing/invoice-processing.message';
export { invoiceAccepted, invoiceAcceptedPayload } from './lib/messages/invoice-accepted/invoice-accepted.message';
export type { InvoiceAccepted } from './lib/messages/invoice-accepted/invoice-accepted.message';
export { upoSchema, rejectionErrorSchema } from './lib/messages/notification-shared/notification-fields.schema';
export type { Upo, RejectionError } from './lib/messages/notification-shared/notification-fields.schema';
export { notificationInvoiceAccepted, notificationInvoiceAcceptedPayload } from './lib/messages/notification-invoice-accepted/notification-invoice-accepted.message';
export type { NotificationInvoiceAccepted } from './lib/messages/notification-invoice-accepted/notification-invoice-accepted.message';
export { notificationInvoiceRejected, notificationInvoiceRejectedPayload } from './lib/messages/notification-invoice-rejected/notification-invoice-rejected.message';
export type { NotificationInvoiceRejected } from './lib/messages/notification-invoice-rejected/notification-invoice-rejected.message';
export { notificationInvoiceEscalated, notificationInvoiceEscalatedPayload } from './lib/messages/notification-invoice-escalated/notification-invoice-escalated.message';
export type { NotificationInvoiceEscalated } from './lib/messages/notification-invoice-escalated/notification-invoice-escalated.message';
export { notificationInvoiceUpoAvailable, notificationInvoiceUpoAvailablePayload } from './lib/messages/notification-invoice-upo-available/notification-invoice-upo-available.message';
export type { NotificationInvoiceUpoAvailable } from './lib/messages/notification-invoice-upo-available/notification-invoice-upo-available.message';
export { notifierWebhookDeadLettered, notifierWebhookDeadLetteredPayload } from './lib/messages/notifier-webhook-dead-lettered/notifier-webhook-dead-lettered.message';
export type { NotifierWebhookDeadLettered } from './lib/messages/notifier-webhook-dead-lettered/notifier-webhook-dead-lettered.message';
export { invoiceUpoReceived, invoiceUpoReceivedPayload } from './lib/messages/invoice-upo-received/invoice-upo-received.message';
export type { InvoiceUpoReceived } from './lib/messages/invoice-upo-received/invoice-upo-received.message';
export { KSEF_ANNOUNCED_STATUSES, ksefAnnouncedSchema, KSEF_AVAILABILITY_STATES, ksefAvailabilityStateSchema, ksefAvailabilityCauseSchema, ksefAvailabilityChanged, ksefAvailabilityChangedPayload } from './lib/messages/ksef-availability-changed/ksef-availability-changed.message';
export type { KsefAnnounced, KsefAvailabilityState, KsefAvailabilityCause, KsefAvailabilityChanged } from './lib/messages/ksef-availability-changed/ksef-availability-changed.message';
export { notificationKsefAvailabilityChanged, notificationKsefAvailabilityChangedPayload } from './lib/messages/notification-ksef-availability-changed/notification-ksef-availability-changed.message';
export type { NotificationKsefAvailabilityChanged } from './lib/messages/notification-ksef-availability-changed/notification-ksef-availability-changed.message';
export { ksefAnnouncementChanged, ksefAnnouncementChangedPayload } from './lib/messages/ksef-availability-changed/ksef-announcement-changed.message';
export type { KsefAnnouncementChanged } from './lib/messages/ksef-availability-changed/ksef-announcement-changed.message';
export { KSEF_ANNOUNCED_MODES, ksefAnnouncedModeSchema, notificationKsefAnnouncementChanged, notificationKsefAnnouncementChangedPayload } from './lib/messages/notification-ksef-announcement-changed/notification-ksef-announcement-changed.message';
export type { KsefAnnouncedMode, NotificationKsefAnnouncementChanged } from './lib/messages/notification-ksef-announcement-changed/notification-ksef-announcement-changed.message';
