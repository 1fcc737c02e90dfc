import type { EntityManager } from 'typeorm';
import { invoiceSubmitted } from '@ksef-bridge/contracts';
import { PermanentError, TransientError, ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository } from '../invoices/invoice.repository';

/** Consumer group recording what the sender did with an invoice. */
export const SEND_OUTCOME_GROUP = 'intake.send-outcomes';

/** States in which a receipt by KSeF is already recorded (or superseded by KSeF's verdict). */
const ALREADY_SENT = new Set(['SENT', 'PROCESSING', 'ACCEPTED', 'REJECTED', 'TECHNICAL_ERROR', 'ESCALATED']);

/**
 * Records the sender's `invoice.submitted` (KSeF received the invoice): QUEUED → SENT (wysłana), with the KSeF
 * invoice reference number and the session, hash and attempt in the history entry.
 *
 * The sender and intake both consume `invoice.validated`, so the receipt can arrive before intake recorded QUEUED:
 * that is "intake is behind", a retriable condition (the runner backs off), never a reason to drop the receipt.
 */
export class SendOutcomeHandler {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const { envelope } = message;
    if (envelope.type !== invoiceSubmitted.type) throw new ValidationError(`unexpected message type ${envelope.type} on ${message.topic}`);
    let payload;
    try {
      ({ payload } = invoiceSubmitted.parse(envelope));
    } catch (cause) {
      throw new ValidationError('invoice.submitted does not match its contract', { cause });
    }
    const invoice = await this.invoices.lockById(manager, payload.invoiceId);
    if (!invoice || invoice.tenantId !== envelope.tenant) throw new PermanentError('INVOICE_NOT_FOUND', `no invoice ${payload.invoiceId} for tenant ${envelope.tenant}`);
    if (ALREADY_SENT.has(invoice.state)) return;
    if (invoice.state === 'RECEIVED') throw new TransientError('INVOICE_STATE_BEHIND', `invoice ${invoice.id} is not QUEUED yet; waiting for the validator's verdict to be recorded`);
    await this.lifecycle.transition(manager, invoice, 'SENT', {
      actor: 'sender',
      traceparent: message.traceparent,
      ksefReferenceNumber: payload.invoiceReferenceNumber,
      reason: payload.reconciled ? 'receipt found in KSeF after a lost answer' : undefined,
      details: { sessionReferenceNumber: payload.sessionReferenceNumber, invoiceHash: payload.invoiceHash, attempt: payload.attempt, reconciled: payload.reconciled, submittedAt: payload.submittedAt },
    });
  }
}
