import type { DataSource, EntityManager } from 'typeorm';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import { withTransaction } from '@ksef-bridge/persistence';
import { ApiError } from '../http/api-error.filter';
import type { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository, InvoiceRow } from '../invoices/invoice.repository';
import type { SubmitInvoiceUseCase } from '../submit-invoice/submit-invoice.use-case';

/** Who acts and why; the actor is recorded in the invoice history as `panel:<user>`. */
export interface Intervention {
  tenant?: string;
  user: string;
  reason: string;
}

export interface InterventionResult {
  invoiceId: string;
  state: InvoiceState;
  /** False when the invoice was already where the command leads (a repeated click, a retried call). */
  changed: boolean;
}

/** States a retry has already moved past: repeating it changes nothing (idempotent). */
const RETRIED: ReadonlySet<InvoiceState> = new Set(['QUEUED', 'OFFLINE', 'SENT', 'PROCESSING', 'ACCEPTED']);
/** Outcomes a corrected document may replace: local validation, KSeF's rejection, or a parked escalation. */
const CORRECTABLE: ReadonlySet<InvoiceState> = new Set(['INVALID', 'REJECTED', 'ESCALATED']);

/**
 * Operator interventions, always through InvoiceLifecycle (state machine + history + status-changed event in one
 * transaction). Cancel is offered only from ESCALATED: there the sender's job is parked, while a QUEUED or RECEIVED
 * invoice may still be picked up by the sender (which consumes invoice.validated on its own) and reach KSeF anyway.
 */
export class PanelInterventions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
    private readonly submit: SubmitInvoiceUseCase,
  ) {}

  /**
   * ESCALATED → QUEUED, or → OFFLINE for an offline invoice (it keeps its offline marking, so the sender sends it as
   * offline again). The panel re-queues the sender's job after this (see docs/panel.md, "Retry now").
   *
   * An invoice the status-poller escalated was received by KSeF (only its verdict was missing): sending it again is
   * not a retry, and the poller keeps watching it for the verdict, so this is refused (409 RETRY_NOT_POSSIBLE), as the
   * panel does from the sender's side (job SENT).
   */
  retry(id: string, who: Intervention): Promise<InterventionResult> {
    return this.tx(async (manager) => {
      const invoice = await this.locked(manager, id, who.tenant);
      if (RETRIED.has(invoice.state)) return { invoiceId: id, state: invoice.state, changed: false };
      if (invoice.state !== 'ESCALATED') throw new ApiError(409, 'INTERVENTION_NOT_ALLOWED', `A retry needs an escalated invoice; this one is ${invoice.state}`);
      const escalation = (await this.invoices.history(manager, id)).filter((h) => h.toState === 'ESCALATED').pop();
      if (escalation?.actor === 'status-poller') {
        throw new ApiError(409, 'RETRY_NOT_POSSIBLE', 'KSeF received this invoice and its verdict is still awaited (the status-poller keeps checking); re-submit a correction or cancel instead');
      }
      const to: InvoiceState = invoice.offlineMode === null ? 'QUEUED' : 'OFFLINE';
      await this.lifecycle.transition(manager, invoice, to, { actor: `panel:${who.user}`, reason: `retry: ${who.reason}`, details: { intervention: 'retry', by: who.user, reason: who.reason } });
      return { invoiceId: id, state: to, changed: true };
    });
  }

  cancel(id: string, who: Intervention): Promise<InterventionResult> {
    return this.tx(async (manager) => {
      const invoice = await this.locked(manager, id, who.tenant);
      if (invoice.state === 'CANCELLED') return { invoiceId: id, state: invoice.state, changed: false };
      if (invoice.state !== 'ESCALATED') throw new ApiError(409, 'INTERVENTION_NOT_ALLOWED', `Only an escalated invoice can be cancelled from the panel; this one is ${invoice.state}`);
      await this.lifecycle.transition(manager, invoice, 'CANCELLED', { actor: `panel:${who.user}`, reason: `cancel: ${who.reason}`, details: { intervention: 'cancel', by: who.user, reason: who.reason } });
      return { invoiceId: id, state: 'CANCELLED', changed: true };
    });
  }

  /**
   * A corrected document through the normal submission path (same checks, same events), linked to the old invoice by
   * metadata `correctionOf`; an escalated old invoice is cancelled in the same transaction. A rejected offline invoice is
   * replaced by a technical correction (offline marking inherited, hashOfCorrectedInvoice on invoice.received). Idempotent per
   * `erpDocumentId` as every submission is.
   */
  resubmit(id: string, who: Intervention, corrected: { erpDocumentId: string; xml: Buffer }): Promise<{ invoiceId: string; created: boolean; oldState: InvoiceState }> {
    return this.tx(async (manager) => {
      const old = await this.locked(manager, id, who.tenant);
      if (!CORRECTABLE.has(old.state) && old.state !== 'CANCELLED') throw new ApiError(409, 'INTERVENTION_NOT_ALLOWED', `A correction replaces an invalid, rejected or escalated invoice; this one is ${old.state}`);
      const result = await this.submit.execute(manager, {
        tenantId: old.tenantId,
        erpDocumentId: corrected.erpDocumentId,
        xml: corrected.xml,
        metadata: { ...old.metadata, correctionOf: old.id, correctedBy: `panel:${who.user}` },
        // An offline invoice KSeF rejected can only be replaced by a technical correction (API.md §11): same offline
        // marking, sent with hashOfCorrectedInvoice; the use case checks and inherits both.
        technicalCorrectionOf: old.offlineMode !== null && old.state === 'REJECTED' ? old.id : undefined,
        actor: `panel:${who.user}`,
      });
      let oldState = old.state;
      if (old.state === 'ESCALATED') {
        await this.lifecycle.transition(manager, old, 'CANCELLED', {
          actor: `panel:${who.user}`,
          reason: `replaced by corrected invoice ${result.invoice.id}`,
          details: { intervention: 'resubmit', by: who.user, reason: who.reason, correctedInvoiceId: result.invoice.id },
        });
        oldState = 'CANCELLED';
      }
      return { invoiceId: result.invoice.id, created: result.created, oldState };
    });
  }

  /** withTransaction, but a refusal (ApiError) thrown inside rolls back and reaches the caller as itself, not as a database error. */
  private async tx<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    let refusal: ApiError | undefined;
    try {
      return await withTransaction(this.dataSource, async (manager) => {
        try {
          return await fn(manager);
        } catch (error) {
          if (error instanceof ApiError) refusal = error;
          throw error;
        }
      });
    } catch (error) {
      throw refusal ?? error;
    }
  }

  private async locked(manager: EntityManager, id: string, tenant: string | undefined): Promise<InvoiceRow> {
    const invoice = await this.invoices.lockById(manager, id);
    // Another tenant's invoice is "not found", never "forbidden": its existence is not disclosed.
    if (!invoice || (tenant !== undefined && invoice.tenantId !== tenant)) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return invoice;
  }
}
