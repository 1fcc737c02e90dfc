import type { DataSource, EntityManager } from 'typeorm';
import {
  invoiceAccepted,
  invoiceEscalated,
  invoiceProcessing,
  invoiceRejected,
  invoiceUpoReceived,
  type InvoiceAccepted,
  type InvoiceEscalated,
  type InvoiceProcessing,
  type InvoiceRejected,
  type InvoiceUpoReceived,
} from '@ksef-bridge/contracts';
import { currentTraceparent } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { StatusPollerTopics } from '../status-poller.settings';
import type { PollPlanRepository, PollRow } from './poll-plan.repository';

export interface AcceptedVerdict {
  ksefNumber: string;
  acquisitionDate: Date;
  duplicate: boolean;
  upoSessionReferenceNumber: string;
  invoiceReferenceNumber: string;
}

/**
 * Every state change of a plan row together with its event, in ONE transaction: the row update names the claim
 * token first, so a poller whose lease was taken over fails there (PollLeaseLostError) and writes no event.
 */
export class OutcomeWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PollPlanRepository,
    private readonly outbox: OutboxWriter,
    private readonly topics: StatusPollerTopics,
  ) {}

  async reschedule(row: PollRow, o: Parameters<PollPlanRepository['reschedule']>[2] & { emitProcessing?: { statusCode: number; description: string } }): Promise<void> {
    await withTransaction(this.dataSource, async (m) => {
      await this.plans.reschedule(m, row, { ...o, processingEmitted: o.emitProcessing !== undefined });
      if (!o.emitProcessing) return;
      const payload: InvoiceProcessing = {
        ...this.ids(row),
        sessionReferenceNumber: row.sessionReferenceNumber,
        invoiceReferenceNumber: o.invoiceReferenceNumber ?? row.invoiceReferenceNumber ?? undefined,
        statusCode: o.emitProcessing.statusCode,
        description: o.emitProcessing.description,
        observedAt: new Date().toISOString(),
      };
      await this.emit(m, row, this.topics.invoiceProcessing, invoiceProcessing, payload);
    });
  }

  /** The verdict is "accepted", the UPO not here yet: keep the KSeF number, fetch the UPO next (no event yet). */
  async awaitUpo(row: PollRow, o: Parameters<PollPlanRepository['awaitUpo']>[2]): Promise<void> {
    await withTransaction(this.dataSource, (m) => this.plans.awaitUpo(m, row, o));
  }

  /** Accepted, with its UPO (DONE) or without it past the UPO wait (UPO_LATE, `upoPending`). */
  async accepted(row: PollRow, v: AcceptedVerdict, upo: { xml: string } | { lateDelayMs: number; errorCode?: string }): Promise<void> {
    const upoXml = 'xml' in upo ? upo.xml : undefined;
    await withTransaction(this.dataSource, async (m) => {
      await this.plans.finish(m, row, upoXml ? 'DONE' : 'UPO_LATE', {
        statusCode: 200,
        invoiceReferenceNumber: v.invoiceReferenceNumber,
        delayMs: 'lateDelayMs' in upo ? upo.lateDelayMs : 0,
        errorCode: 'errorCode' in upo ? upo.errorCode : undefined,
        verdict: v,
      });
      await this.plans.insertResult(m, row.invoiceId, {
        ksefNumber: v.ksefNumber,
        acquisitionDate: v.acquisitionDate,
        duplicate: v.duplicate,
        sessionReferenceNumber: row.sessionReferenceNumber,
        invoiceReferenceNumber: v.invoiceReferenceNumber,
        upoXml,
      });
      const payload: InvoiceAccepted = {
        ...this.ids(row),
        ksefNumber: v.ksefNumber,
        acquisitionDate: v.acquisitionDate.toISOString(),
        sessionReferenceNumber: row.sessionReferenceNumber,
        invoiceReferenceNumber: v.invoiceReferenceNumber,
        invoiceHash: row.invoiceHash,
        upoXml,
        upoPending: upoXml === undefined,
        duplicate: v.duplicate,
        acceptedAt: new Date().toISOString(),
      };
      await this.emit(m, row, this.topics.invoiceAccepted, invoiceAccepted, payload);
    });
  }

  /** The UPO of an invoice already announced with `upoPending` (UPO_LATE → DONE, invoice.upo-received). */
  async lateUpo(row: PollRow, xml: string): Promise<void> {
    await withTransaction(this.dataSource, async (m) => {
      await this.plans.finish(m, row, 'DONE', {});
      await this.plans.storeLateUpo(m, row.invoiceId, xml);
      const payload: InvoiceUpoReceived = {
        ...this.ids(row),
        ksefNumber: row.ksefNumber as string,
        sessionReferenceNumber: row.sessionReferenceNumber,
        invoiceReferenceNumber: row.invoiceReferenceNumber as string,
        upoXml: xml,
        acceptedAt: (row.acceptedAt as Date).toISOString(),
        receivedAt: new Date().toISOString(),
      };
      await this.emit(m, row, this.topics.invoiceUpoReceived, invoiceUpoReceived, payload);
    });
  }

  async rejected(row: PollRow, r: { code: number; description: string; details: string[]; invoiceReferenceNumber?: string }): Promise<void> {
    await withTransaction(this.dataSource, async (m) => {
      await this.plans.finish(m, row, 'REJECTED', { statusCode: r.code, invoiceReferenceNumber: r.invoiceReferenceNumber });
      const payload: InvoiceRejected = {
        ...this.ids(row),
        stage: 'processing',
        processingCode: r.code,
        exceptionCodes: [],
        description: r.description,
        details: r.details,
        sessionReferenceNumber: row.sessionReferenceNumber,
        invoiceReferenceNumber: r.invoiceReferenceNumber ?? row.invoiceReferenceNumber ?? undefined,
        invoiceHash: row.invoiceHash,
        rejectedAt: new Date().toISOString(),
      };
      await this.emit(m, row, this.topics.invoiceRejected, invoiceRejected, payload);
    });
  }

  /** ESCALATED with invoice.escalated; `watchMs` > 0 keeps the row watched for a late verdict (first check after `firstWatchDelayMs`). */
  async escalated(row: PollRow, e: { code: string; message: string; invoiceReferenceNumber?: string; watchMs?: number; firstWatchDelayMs?: number }): Promise<void> {
    await withTransaction(this.dataSource, async (m) => {
      const watched = (e.watchMs ?? 0) > 0;
      await this.plans.finish(m, row, 'ESCALATED', { errorCode: e.code, invoiceReferenceNumber: e.invoiceReferenceNumber, watchMs: e.watchMs, delayMs: watched ? e.firstWatchDelayMs : 0 });
      const refs: Record<string, string> = { sessionReferenceNumber: row.sessionReferenceNumber, invoiceHash: row.invoiceHash };
      const invoiceRef = e.invoiceReferenceNumber ?? row.invoiceReferenceNumber;
      if (invoiceRef) refs['invoiceReferenceNumber'] = invoiceRef;
      if (row.ksefNumber) refs['ksefNumber'] = row.ksefNumber;
      const payload: InvoiceEscalated = {
        ...this.ids(row),
        actor: 'status-poller',
        code: e.code,
        message: e.message.slice(0, 1000),
        attempts: row.polls + 1,
        referenceNumbers: refs,
        escalatedAt: new Date().toISOString(),
      };
      await this.emit(m, row, this.topics.invoiceEscalated, invoiceEscalated, payload);
    });
  }

  private ids(row: PollRow) {
    return { invoiceId: row.invoiceId, erpDocumentId: row.erpDocumentId, contextNip: row.contextNip };
  }

  /** The event continues the invoice's trace: the active poll span (a child of it), else the stored traceparent. */
  private async emit<P>(m: EntityManager, row: PollRow, topic: string, contract: { type: string; version: number }, payload: P): Promise<void> {
    const traceparent = currentTraceparent() ?? row.traceparent ?? undefined;
    await this.outbox.enqueue(m, [{ topic, envelope: newEnvelope({ type: contract.type, version: contract.version, aggregateId: row.invoiceId, tenant: row.tenantId, payload, traceparent }) }]);
  }
}
