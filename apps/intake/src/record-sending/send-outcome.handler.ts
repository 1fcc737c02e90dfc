import type { EntityManager } from 'typeorm';
import { invoiceEscalated, invoiceRejected, invoiceSubmitted, type InvoiceRejected } from '@ksef-bridge/contracts';
import { PermanentError, TransientError, ValidationError } from '@ksef-bridge/errors';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { InvoiceLifecycle, StateChange } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository, InvoiceRow } from '../invoices/invoice.repository';
import { parseContract } from './parse-contract';

/** Consumer group recording what the sender did with an invoice. */
export const SEND_OUTCOME_GROUP = 'intake.send-outcomes';

/** States in which a receipt by KSeF is already recorded (or superseded by KSeF's verdict or an escalation). */
const ALREADY_SENT: ReadonlySet<InvoiceState> = new Set(['SENT', 'PROCESSING', 'ACCEPTED', 'REJECTED', 'TECHNICAL_ERROR', 'ESCALATED']);
/** Final states: a later outcome for them is a redelivery or a race lost to a person, never a change. */
const FINAL: ReadonlySet<InvoiceState> = new Set(['ACCEPTED', 'REJECTED', 'INVALID', 'CANCELLED']);

/**
 * Records the sender's outcomes in the invoice's state and history:
 * - `invoice.submitted` (KSeF received it): QUEUED/OFFLINE → SENT (wysłana) with KSeF's invoice reference number;
 * - `invoice.submitted` in batch mode carries no invoice reference number (KSeF assigns it with the package);
 * - `invoice.rejected` (KSeF refused it): → REJECTED (odrzucona logicznie) with KSeF's codes and description, from
 *   QUEUED/OFFLINE when the sender's send was refused, from SENT/PROCESSING when the status-poller saw processing fail;
 * - `invoice.escalated` (the sender or the status-poller gave up): → ESCALATED (wymaga interwencji).
 *
 * The sender and intake both consume `invoice.validated`, so an outcome can arrive before intake recorded QUEUED:
 * that is "intake is behind", a retriable condition (the runner backs off), never a reason to drop the outcome.
 */
export class SendOutcomeHandler {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const { envelope } = message;
    if (envelope.type === invoiceSubmitted.type) {
      const { payload } = parseContract(invoiceSubmitted, message);
      const invoice = await this.current(manager, payload.invoiceId, envelope.tenant);
      if (ALREADY_SENT.has(invoice.state) || FINAL.has(invoice.state)) return;
      await this.lifecycle.transition(manager, invoice, 'SENT', {
        actor: 'sender',
        traceparent: message.traceparent,
        ksefReferenceNumber: payload.invoiceReferenceNumber,
        reason: payload.reconciled ? 'receipt found in KSeF after a lost answer' : payload.mode === 'batch' ? 'sent in a batch session; KSeF assigns the invoice reference number while processing the package' : undefined,
        details: { mode: payload.mode, sessionReferenceNumber: payload.sessionReferenceNumber, invoiceHash: payload.invoiceHash, attempt: payload.attempt, reconciled: payload.reconciled, submittedAt: payload.submittedAt },
      });
    } else if (envelope.type === invoiceRejected.type) {
      const { payload } = parseContract(invoiceRejected, message);
      const change: StateChange = {
        actor: payload.stage === 'send' ? 'sender' : 'status-poller',
        traceparent: message.traceparent,
        ksefReferenceNumber: payload.invoiceReferenceNumber,
        httpStatus: payload.httpStatus,
        errorCode: payload.processingCode !== undefined ? `KSEF_${payload.processingCode}` : payload.exceptionCodes.length ? `KSEF_${payload.exceptionCodes[0]}` : undefined,
        reason: payload.description,
        details: { stage: payload.stage, processingCode: payload.processingCode, exceptionCodes: payload.exceptionCodes, description: payload.description, details: payload.details, sessionReferenceNumber: payload.sessionReferenceNumber, invoiceReferenceNumber: payload.invoiceReferenceNumber, rejectedAt: payload.rejectedAt },
      };
      if (payload.stage === 'processing') await this.processingRejection(manager, payload, envelope.tenant, change);
      else await this.settle(manager, payload.invoiceId, envelope.tenant, 'REJECTED', change);
    } else if (envelope.type === invoiceEscalated.type) {
      const { payload } = parseContract(invoiceEscalated, message);
      await this.settle(manager, payload.invoiceId, envelope.tenant, 'ESCALATED', {
        actor: payload.actor,
        traceparent: message.traceparent,
        httpStatus: payload.lastHttpStatus,
        errorCode: payload.code,
        reason: payload.message,
        details: { attempts: payload.attempts, message: payload.message, referenceNumbers: payload.referenceNumbers, escalatedAt: payload.escalatedAt },
      });
    } else {
      throw new ValidationError(`unexpected message type ${envelope.type} on ${message.topic}`);
    }
  }

  /** Moves the invoice to a verdict state unless it is already there or final. */
  private async settle(manager: EntityManager, invoiceId: string, tenant: string, to: InvoiceState, change: StateChange): Promise<void> {
    const invoice = await this.current(manager, invoiceId, tenant);
    if (invoice.state === to || FINAL.has(invoice.state)) return;
    await this.lifecycle.transition(manager, invoice, to, change);
  }

  /**
   * KSeF rejected the invoice while processing it (status-poller). This group also consumes `invoice.submitted`, so
   * waiting here for SENT would hold back the very receipt it waits for (one message at a time per consumer). KSeF's
   * verdict proves the receipt, and carries its session and invoice reference numbers: a QUEUED (or OFFLINE) invoice is moved to
   * SENT on that evidence first (actor status-poller, `impliedBy` in the details), then to REJECTED; the sender's late
   * receipt then finds REJECTED and changes nothing.
   */
  private async processingRejection(manager: EntityManager, payload: InvoiceRejected, tenant: string, change: StateChange): Promise<void> {
    let invoice = await this.current(manager, payload.invoiceId, tenant);
    if (FINAL.has(invoice.state)) return;
    if (invoice.state === 'QUEUED' || invoice.state === 'OFFLINE') {
      await this.lifecycle.transition(manager, invoice, 'SENT', {
        actor: 'status-poller',
        traceparent: change.traceparent,
        ksefReferenceNumber: payload.invoiceReferenceNumber,
        reason: "receipt implied by KSeF's processing verdict (the sender's invoice.submitted was not recorded yet)",
        details: { impliedBy: 'invoice.rejected', sessionReferenceNumber: payload.sessionReferenceNumber, invoiceHash: payload.invoiceHash },
      });
      invoice = { ...invoice, state: 'SENT' };
    }
    await this.lifecycle.transition(manager, invoice, 'REJECTED', change);
  }

  /** The locked invoice, once intake has recorded the validator's verdict (earlier: retriable "behind"). */
  private async current(manager: EntityManager, invoiceId: string, tenant: string): Promise<InvoiceRow> {
    const invoice = await this.invoices.lockById(manager, invoiceId);
    // An outcome naming another tenant's invoice is a broken producer, never something to apply.
    if (!invoice || invoice.tenantId !== tenant) throw new PermanentError('INVOICE_NOT_FOUND', `no invoice ${invoiceId} for tenant ${tenant}`);
    if (invoice.state === 'RECEIVED') throw new TransientError('INVOICE_STATE_BEHIND', `invoice ${invoice.id} is not QUEUED yet; waiting for the validator's verdict to be recorded`);
    return invoice;
  }
}

