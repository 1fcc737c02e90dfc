import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { notificationBaseShape } from '../notification-shared/notification-fields.schema';

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: the system could not bring the invoice to KSeF on its
 * own and a person must act (credentials, an outage beyond the retry budget, a document mismatch). Not final: after
 * the fix the invoice may still be accepted or rejected. Key: invoice id. One per escalation. docs/events.md.
 */
export const notificationInvoiceEscalatedPayload = z.object({
  ...notificationBaseShape,
  /** Which service gave up, e.g. `sender`, `status-poller`. */
  actor: z.string().min(1),
  /** Stable code of the last failure, e.g. `ATTEMPTS_EXHAUSTED`, `KSEF_FORBIDDEN`. */
  code: z.string().min(1),
  /** Short, safe description (no invoice contents, no secrets). */
  message: z.string(),
  attempts: z.number().int().nonnegative(),
  lastHttpStatus: z.number().int().optional(),
  /** KSeF reference numbers known at the time. */
  referenceNumbers: z.record(z.string(), z.string()),
  escalatedAt: z.string().datetime({ offset: true }),
});

export const notificationInvoiceEscalated = defineMessage({
  type: 'notification.invoice-escalated',
  version: 1,
  topic: TOPICS.notificationInvoiceEscalated,
  payload: notificationInvoiceEscalatedPayload,
});

export type NotificationInvoiceEscalated = z.infer<typeof notificationInvoiceEscalatedPayload>;
