import type { EntityManager } from 'typeorm';
import { invoiceInvalid, invoiceValidated } from '@ksef-bridge/contracts';
import { PermanentError, ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { InvoiceLifecycle, StateChange } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository } from '../invoices/invoice.repository';
import { offlineMarkingOf } from '../invoices/invoice.view';

/** Consumer group recording the validator's verdicts. */
export const VALIDATION_OUTCOME_GROUP = 'intake.validation-outcomes';

/**
 * Intake owns the invoice's state and history, so it records the validator's verdict: invoice.validated moves the
 * invoice to QUEUED (oczekuje wysyłki), an offline one on to OFFLINE (QUEUED then OFFLINE in the history), invoice.invalid to INVALID with every issue in the history entry. A verdict
 * for an invoice already in that state is a no-op; one that contradicts the state machine is dead-lettered.
 */
export class ValidationOutcomeHandler {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const { envelope } = message;
    if (envelope.type === invoiceValidated.type) {
      const { payload } = this.parse(() => invoiceValidated.parse(envelope));
      const invoice = await this.load(manager, payload.invoiceId, envelope.tenant);
      const offline = payload.offline !== undefined || invoice.offlineMode !== null;
      if (invoice.state === (offline ? 'OFFLINE' : 'QUEUED')) return;
      const change: StateChange = {
        actor: 'validator',
        traceparent: message.traceparent,
        facts: { contextNip: payload.contextNip, invoiceNumber: payload.invoiceNumber },
        details: { form: payload.form, contextNip: payload.contextNip, invoiceNumber: payload.invoiceNumber, invoiceType: payload.invoiceType, issueDate: payload.issueDate },
      };
      let current = invoice;
      if (invoice.state === 'RECEIVED') {
        await this.lifecycle.transition(manager, invoice, 'QUEUED', change);
        current = { ...invoice, state: 'QUEUED' };
      }
      // An offline invoice waits for its own send (offlineMode, by its legal deadline; the sender decides when): it
      // shows OFFLINE (w trybie offline), recorded right after QUEUED so the history keeps the validator's verdict.
      if (offline) {
        const marking = payload.offline ?? offlineMarkingOf(invoice);
        await this.lifecycle.transition(manager, current, 'OFFLINE', {
          actor: 'validator',
          traceparent: message.traceparent,
          reason: `issued offline (${marking?.mode})${payload.hashOfCorrectedInvoice ? ', technical correction' : ''}`,
          details: { offline: marking, hashOfCorrectedInvoice: payload.hashOfCorrectedInvoice, technicalCorrectionOf: invoice.technicalCorrectionOf ?? undefined },
        });
      }
    } else if (envelope.type === invoiceInvalid.type) {
      const { payload } = this.parse(() => invoiceInvalid.parse(envelope));
      const invoice = await this.load(manager, payload.invoiceId, envelope.tenant);
      if (invoice.state === 'INVALID') return;
      await this.lifecycle.transition(manager, invoice, 'INVALID', {
        actor: 'validator',
        traceparent: message.traceparent,
        errorCode: payload.issues[0].code,
        reason: `${payload.issues.length} validation issue(s), first: ${payload.issues[0].code}`,
        details: { stage: payload.stage, issues: payload.issues },
      });
    } else {
      throw new ValidationError(`unexpected message type ${envelope.type} on ${message.topic}`);
    }
  }

  private parse<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw new ValidationError('validation outcome does not match its contract', { cause });
    }
  }

  private async load(manager: EntityManager, invoiceId: string, tenant: string) {
    const invoice = await this.invoices.lockById(manager, invoiceId);
    // A verdict naming another tenant's invoice is a broken producer, never something to apply.
    if (!invoice || invoice.tenantId !== tenant) throw new PermanentError('INVOICE_NOT_FOUND', `no invoice ${invoiceId} for tenant ${tenant}`);
    return invoice;
  }
}
