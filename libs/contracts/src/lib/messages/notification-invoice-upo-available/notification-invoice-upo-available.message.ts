import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { notificationBaseShape, upoSchema } from '../notification-shared/notification-fields.schema';

/**
 * PUBLIC. notifier → downstream accounting and tenant webhooks: the UPO of an invoice whose
 * `notification.invoice-accepted` said `upo.status: "pending"` (KSeF issued the receipt late). Key: invoice id. At
 * most one per invoice, always after that acceptance. docs/events.md.
 */
export const notificationInvoiceUpoAvailablePayload = z.object({
  ...notificationBaseShape,
  ksefNumber: z.string().min(30).max(40),
  /** `status` is always `available` here. */
  upo: upoSchema.extend({ status: z.literal('available') }),
  /** When the system received the UPO from KSeF. */
  receivedAt: z.string().datetime({ offset: true }),
});

export const notificationInvoiceUpoAvailable = defineMessage({
  type: 'notification.invoice-upo-available',
  version: 1,
  topic: TOPICS.notificationInvoiceUpoAvailable,
  payload: notificationInvoiceUpoAvailablePayload,
});

export type NotificationInvoiceUpoAvailable = z.infer<typeof notificationInvoiceUpoAvailablePayload>;
