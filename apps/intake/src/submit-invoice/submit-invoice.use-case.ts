import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { invoiceReceived, type InvoiceReceived } from '@ksef-bridge/contracts';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import type { IntakeSettings } from '../intake.settings';
import { checkIncomingDocument } from '../invoices/domain/incoming-document';
import { IntakeRefusal } from '../invoices/domain/intake-refusal';
import type { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository, InvoiceRow } from '../invoices/invoice.repository';

export interface SubmitInvoiceCommand {
  tenantId: string;
  erpDocumentId: string;
  xml: Buffer;
  metadata: Record<string, string>;
  /** HTTP `Idempotency-Key`; the Kafka door relies on the ERP document id (and the inbox) alone. */
  idempotencyKey?: string;
  /** `intake:http` or `intake:kafka`. */
  actor: string;
  traceparent?: string;
}

export interface SubmitInvoiceResult {
  invoice: InvoiceRow;
  /** False when the same submission was already taken in: the existing invoice is returned. */
  created: boolean;
}

/**
 * One submission, the same for both doors, on the caller's transaction: check the document, return the existing
 * invoice for a repeated submission, refuse a conflicting one, or store invoice + document (claim check) + history and
 * enqueue invoice.received and invoice.status-changed.
 */
export class SubmitInvoiceUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
    private readonly xml: KsefXmlValidator,
    private readonly settings: IntakeSettings,
  ) {}

  async execute(manager: EntityManager, command: SubmitInvoiceCommand): Promise<SubmitInvoiceResult> {
    const document = checkIncomingDocument(command.xml, this.settings.maxDocumentBytes, this.xml);
    const existing = await this.findExisting(manager, command);
    if (existing) return { invoice: this.sameOrConflict(existing, command, document.sha256), created: false };

    const id = randomUUID();
    const inserted = await this.invoices.insertReceived(
      manager,
      { id, tenantId: command.tenantId, erpDocumentId: command.erpDocumentId, idempotencyKey: command.idempotencyKey, contentSha256: document.sha256, metadata: command.metadata },
      document.bytes,
    );
    if (!inserted) {
      // A concurrent submission of the same document (or key) committed between our read and our insert.
      const winner = await this.findExisting(manager, command);
      if (!winner) throw new Error('invoice insert conflicted but no existing invoice was found');
      return { invoice: this.sameOrConflict(winner, command, document.sha256), created: false };
    }
    const payload: InvoiceReceived = {
      invoiceId: id,
      erpDocumentId: command.erpDocumentId,
      document: { invoiceId: id, sha256: document.sha256, sizeBytes: document.bytes.length },
      receivedAt: inserted.createdAt.toISOString(),
    };
    const received = newEnvelope({ type: invoiceReceived.type, version: invoiceReceived.version, aggregateId: id, tenant: command.tenantId, payload, traceparent: command.traceparent });
    await this.lifecycle.received(manager, inserted, { actor: command.actor, traceparent: command.traceparent, details: { sizeBytes: document.bytes.length, sha256: document.sha256 } }, [
      { topic: this.settings.topics.invoiceReceived, envelope: received },
    ]);
    return { invoice: inserted, created: true };
  }

  private async findExisting(manager: EntityManager, command: SubmitInvoiceCommand): Promise<InvoiceRow | undefined> {
    const byDocument = await this.invoices.findByErpDocumentId(manager, command.tenantId, command.erpDocumentId);
    if (byDocument) return byDocument;
    return command.idempotencyKey ? this.invoices.findByIdempotencyKey(manager, command.tenantId, command.idempotencyKey) : undefined;
  }

  private sameOrConflict(existing: InvoiceRow, command: SubmitInvoiceCommand, sha256: string): InvoiceRow {
    if (existing.erpDocumentId !== command.erpDocumentId) {
      throw new IntakeRefusal('IDEMPOTENCY_CONFLICT', `Idempotency-Key '${command.idempotencyKey}' was already used for ERP document '${existing.erpDocumentId}'`, {
        existingInvoiceId: existing.id,
      });
    }
    if (existing.contentSha256 !== sha256) {
      throw new IntakeRefusal('IDEMPOTENCY_CONFLICT', `ERP document '${command.erpDocumentId}' was already submitted with different content (invoice ${existing.id}); submit a correction under a new document id`, {
        existingInvoiceId: existing.id,
        existingSha256: existing.contentSha256,
        submittedSha256: sha256,
      });
    }
    return existing;
  }
}
