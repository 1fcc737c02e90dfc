import type { EntityManager } from 'typeorm';
import { invoiceSubmitted } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import type { PollPlanRepository } from './poll-plan.repository';

/** Consumer group that turns submitted invoices into poll plans. */
export const INVOICE_SUBMITTED_GROUP = 'status-poller.invoice-submitted';

/**
 * invoice.submitted → a WAITING poll plan row, in the inbox transaction. Nothing talks to KSeF here, so the consumer
 * never waits on KSeF; the scheduler polls. A repeated invoice.submitted for the same invoice changes nothing.
 */
export class InvoiceSubmittedHandler {
  constructor(
    private readonly plans: PollPlanRepository,
    private readonly firstPollDelayMs: number,
    private readonly logger: Logger,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const parsed = invoiceSubmitted.safeParse(message.envelope);
    if (!parsed.success) throw new ValidationError(`invoice.submitted does not match its contract: ${parsed.error.message}`);
    const { payload, tenant } = parsed.data;
    const created = await this.plans.insert(manager, {
      invoiceId: payload.invoiceId,
      tenantId: tenant,
      erpDocumentId: payload.erpDocumentId,
      contextNip: payload.contextNip,
      mode: payload.mode,
      sessionReferenceNumber: payload.sessionReferenceNumber,
      invoiceReferenceNumber: payload.invoiceReferenceNumber,
      invoiceHash: payload.invoiceHash,
      submittedAt: new Date(payload.submittedAt),
      firstPollDelayMs: this.firstPollDelayMs,
      traceparent: message.traceparent,
    });
    if (!created) this.logger.info({ invoiceId: payload.invoiceId }, 'poll plan already exists; invoice.submitted ignored');
  }
}
