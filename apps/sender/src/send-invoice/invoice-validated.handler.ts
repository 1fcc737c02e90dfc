import type { EntityManager } from 'typeorm';
import { invoiceValidated, type OfflineIssue } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { Logger } from '@ksef-bridge/observability';
import { needsObservedOutage, offlineDeadline } from './offline-deadline';
import type { NewSendJob, SendJobRepository } from './send-job.repository';

/** Consumer group that turns validated invoices into send jobs. */
export const INVOICE_VALIDATED_GROUP = 'sender.invoice-validated';

/**
 * invoice.validated → a QUEUED send job, in the inbox transaction. Nothing talks to KSeF here: the handler stays
 * short and the scheduler sends. A second invoice.validated for the same invoice (a re-validation) finds the job and
 * changes nothing, so an invoice is sent once.
 */
export class InvoiceValidatedHandler {
  constructor(
    private readonly jobs: SendJobRepository,
    private readonly logger: Logger,
    private readonly contextsTable: string,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const parsed = invoiceValidated.safeParse(message.envelope);
    if (!parsed.success) throw new ValidationError(`invoice.validated does not match its contract: ${parsed.error.message}`);
    const { payload, tenant } = parsed.data;
    const offline = payload.offline ? await this.offlineDeadline(manager, payload.offline, payload.issueDate) : undefined;
    const created = await this.jobs.enqueue(manager, {
      invoiceId: payload.invoiceId,
      tenantId: tenant,
      erpDocumentId: payload.erpDocumentId,
      contextNip: payload.contextNip,
      form: payload.form,
      documentSha256: payload.document.sha256,
      documentSize: payload.document.sizeBytes,
      traceparent: message.traceparent,
      offline,
      hashOfCorrectedInvoice: payload.hashOfCorrectedInvoice,
    });
    if (!created) {
      this.logger.info({ invoiceId: payload.invoiceId }, 'send job already exists; invoice.validated ignored');
      return;
    }
    const known: unknown[] = await manager.query(`SELECT 1 FROM ${this.contextsTable} WHERE nip = $1 AND enabled`, [payload.contextNip]);
    // The job waits (QUEUED) until the context is registered; say so, or it would wait unnoticed.
    if (known.length === 0) this.logger.warn({ invoiceId: payload.invoiceId, nip: payload.contextNip }, 'no enabled KSeF context for this NIP: the invoice waits until `register-context` adds it');
    if (offline) this.logger.info({ invoiceId: payload.invoiceId, mode: offline.mode, sendDeadline: offline.sendDeadline?.toISOString() ?? null, basis: offline.deadlineBasis }, 'offline invoice queued with its send deadline');
  }

  /** The legal deadline (offline-deadline.ts), from the sender's own availability history when the ERP gave no period end. */
  private async offlineDeadline(manager: EntityManager, offline: OfflineIssue, issueDate: string): Promise<NonNullable<NewSendJob['offline']>> {
    const periodEndedAt = offline.periodEndedAt ? new Date(offline.periodEndedAt) : undefined;
    const facts = { mode: offline.mode, issueDate, periodEndedAt };
    const observed = needsObservedOutage(facts) ? await this.jobs.offline.observedOutage(manager, issueDate) : undefined;
    // The failures KSeF announced so far (Latarnia); the scheduler re-evaluates queued jobs when they change.
    const failures = await this.jobs.offline.failuresAtEnqueue(manager);
    let deadline;
    try {
      deadline = offlineDeadline(facts, observed, failures);
    } catch (err) {
      // An issue date outside the supported calendar (2011–2199) passed the contract's format check: a bad message.
      throw new ValidationError(`invoice.validated ${issueDate}: no send deadline can be computed (${err instanceof Error ? err.message : String(err)})`);
    }
    return { mode: offline.mode, issueDate, periodEndedAt, sendDeadline: deadline.sendDeadline, deadlineBasis: deadline.basis };
  }
}
