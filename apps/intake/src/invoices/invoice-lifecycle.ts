import type { EntityManager } from 'typeorm';
import { HEADER, invoiceStatusChanged, type InvoiceStatusChanged } from '@ksef-bridge/contracts';
import { assertTransition, type InvoiceState } from '@ksef-bridge/invoice-domain';
import { newEnvelope, type OutboxWriter, type OutgoingMessage } from '@ksef-bridge/outbox';
import type { IntakeTopics } from '../intake.settings';
import type { HistoryEntry, InvoiceRepository, InvoiceRow } from './invoice.repository';

export interface StateChange extends Omit<HistoryEntry, 'fromState' | 'toState'> {
  /** Short reason carried in the status-changed event (the full details stay in the history). */
  reason?: string;
  /** Continue this trace in the events written (a consumed message's traceparent). */
  traceparent?: string;
  facts?: { contextNip?: string; invoiceNumber?: string };
}

/**
 * The only way an invoice's state changes: check the state machine, update the row (the database checks it again),
 * append the history entry and enqueue the status-changed event plus any follow-up events, all on the caller's
 * transaction, so a state and its events commit together or not at all.
 */
export class InvoiceLifecycle {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly topics: IntakeTopics,
  ) {}

  /** Records the first state of a freshly inserted invoice. */
  async received(manager: EntityManager, invoice: InvoiceRow, change: StateChange, followUps: OutgoingMessage[]): Promise<void> {
    await this.invoices.appendHistory(manager, invoice.id, { ...this.historyOf(change), fromState: null, toState: 'RECEIVED' });
    const event = this.statusChanged(invoice, undefined, 'RECEIVED', change);
    // The invoice's trace is the one its first event carries on (the ERP's message, or the HTTP request's span), so
    // SREs can open it in Jaeger from the invoice; without tracing there is none to keep.
    const traceId = traceIdOf(event.envelope.headers[HEADER.traceparent]);
    if (traceId) {
      await this.invoices.setTraceId(manager, invoice.id, traceId);
      // The caller answers with this row (201 of the HTTP door): let it show what was just written.
      invoice.traceId = traceId;
    }
    await this.outbox.enqueue(manager, [event, ...followUps]);
  }

  /** Moves a row locked by the caller (InvoiceRepository.lockById) to `to`. Throws IllegalTransitionError. */
  async transition(manager: EntityManager, invoice: InvoiceRow, to: InvoiceState, change: StateChange, followUps: OutgoingMessage[] = []): Promise<void> {
    assertTransition(invoice.state, to);
    await this.invoices.updateState(manager, invoice.id, to, change.facts);
    await this.invoices.appendHistory(manager, invoice.id, { ...this.historyOf(change), fromState: invoice.state, toState: to });
    await this.outbox.enqueue(manager, [this.statusChanged(invoice, invoice.state, to, change), ...followUps]);
  }

  private historyOf(change: StateChange): Omit<HistoryEntry, 'fromState' | 'toState'> {
    const { actor, ksefReferenceNumber, ksefNumber, httpStatus, errorCode, details } = change;
    return { actor, ksefReferenceNumber, ksefNumber, httpStatus, errorCode, details };
  }

  private statusChanged(invoice: InvoiceRow, from: InvoiceState | undefined, to: InvoiceState, change: StateChange): OutgoingMessage {
    const payload: InvoiceStatusChanged = { invoiceId: invoice.id, erpDocumentId: invoice.erpDocumentId, from, to, actor: change.actor, reason: change.reason };
    return {
      topic: this.topics.invoiceStatusChanged,
      envelope: newEnvelope({ type: invoiceStatusChanged.type, version: invoiceStatusChanged.version, aggregateId: invoice.id, tenant: invoice.tenantId, payload, traceparent: change.traceparent }),
    };
  }
}

/** The trace id of a W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<flags>`); undefined if absent or all zero. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent?.trim() ?? '');
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}
