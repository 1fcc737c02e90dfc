import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { invoiceReceived, type InvoiceReceived, type OfflineIssue } from '@ksef-bridge/contracts';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import type { IntakeSettings } from '../intake.settings';
import { checkIncomingDocument } from '../invoices/domain/incoming-document';
import { IntakeRefusal } from '../invoices/domain/intake-refusal';
import { describeMarking, hashOfCorrectedInvoice, sameOfflineMarking } from '../invoices/domain/offline-marking';
import type { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository, InvoiceRow } from '../invoices/invoice.repository';
import { offlineMarkingOf } from '../invoices/invoice.view';

export interface SubmitInvoiceCommand {
  tenantId: string;
  erpDocumentId: string;
  xml: Buffer;
  metadata: Record<string, string>;
  /** HTTP `Idempotency-Key`; the Kafka door relies on the ERP document id (and the inbox) alone. */
  idempotencyKey?: string;
  /** Issued offline (already checked by parseOfflineMarking). For a technical correction: inherited when absent. */
  offline?: OfflineIssue;
  /** Our id of the tenant's rejected offline invoice this document technically corrects. */
  technicalCorrectionOf?: string;
  /** `intake:http` or `intake:kafka`. */
  actor: string;
  traceparent?: string;
}

/** What a submission is marked as once its technical correction (if any) is resolved against the corrected invoice. */
interface ResolvedMarking {
  offline?: OfflineIssue;
  technicalCorrectionOf?: string;
  /** Base64 SHA-256 of the corrected invoice's stored file (KSeF's `hashOfCorrectedInvoice`). */
  hashOfCorrectedInvoice?: string;
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
    const marking = await this.resolveMarking(manager, command);
    const existing = await this.findExisting(manager, command);
    if (existing) return { invoice: this.sameOrConflict(existing, command, document.sha256, marking), created: false };

    const id = randomUUID();
    const inserted = await this.invoices.insertReceived(
      manager,
      { id, tenantId: command.tenantId, erpDocumentId: command.erpDocumentId, idempotencyKey: command.idempotencyKey, contentSha256: document.sha256, metadata: command.metadata, offline: marking.offline, technicalCorrectionOf: marking.technicalCorrectionOf },
      document.bytes,
    );
    if (!inserted) {
      // A concurrent submission of the same document (or key) committed between our read and our insert.
      const winner = await this.findExisting(manager, command);
      if (!winner) throw new Error('invoice insert conflicted but no existing invoice was found');
      return { invoice: this.sameOrConflict(winner, command, document.sha256, marking), created: false };
    }
    const payload: InvoiceReceived = {
      invoiceId: id,
      erpDocumentId: command.erpDocumentId,
      document: { invoiceId: id, sha256: document.sha256, sizeBytes: document.bytes.length },
      receivedAt: inserted.createdAt.toISOString(),
      ...(marking.offline ? { offline: marking.offline } : {}),
      ...(marking.hashOfCorrectedInvoice ? { hashOfCorrectedInvoice: marking.hashOfCorrectedInvoice } : {}),
    };
    const received = newEnvelope({ type: invoiceReceived.type, version: invoiceReceived.version, aggregateId: id, tenant: command.tenantId, payload, traceparent: command.traceparent });
    await this.lifecycle.received(manager, inserted, { actor: command.actor, traceparent: command.traceparent, details: { sizeBytes: document.bytes.length, sha256: document.sha256, ...marking } }, [
      { topic: this.settings.topics.invoiceReceived, envelope: received },
    ]);
    return { invoice: inserted, created: true };
  }

  private async findExisting(manager: EntityManager, command: SubmitInvoiceCommand): Promise<InvoiceRow | undefined> {
    const byDocument = await this.invoices.findByErpDocumentId(manager, command.tenantId, command.erpDocumentId);
    if (byDocument) return byDocument;
    return command.idempotencyKey ? this.invoices.findByIdempotencyKey(manager, command.tenantId, command.idempotencyKey) : undefined;
  }

  /**
   * A technical correction (API.md §11) is only for an offline invoice of the same tenant that KSeF rejected, and is
   * itself offline with the same marking: inherited when the submission gives none, refused when it gives another.
   * A missing invoice and another tenant's answer the same, so the existence of other tenants' invoices is not disclosed.
   */
  private async resolveMarking(manager: EntityManager, command: SubmitInvoiceCommand): Promise<ResolvedMarking> {
    if (!command.technicalCorrectionOf) return { offline: command.offline };
    const id = command.technicalCorrectionOf;
    const corrected = await this.invoices.findForTenant(manager, command.tenantId, id);
    if (!corrected) throw new IntakeRefusal('CORRECTED_INVOICE_NOT_FOUND', `technicalCorrectionOf: you have no invoice ${id}`, { technicalCorrectionOf: id });
    const inherited = offlineMarkingOf(corrected);
    if (!inherited) {
      throw new IntakeRefusal('CORRECTED_INVOICE_NOT_OFFLINE', `technicalCorrectionOf: invoice ${id} was not issued offline; a technical correction is only for a rejected offline invoice (submit an ordinary correction instead)`, { technicalCorrectionOf: id });
    }
    if (corrected.state !== 'REJECTED') {
      throw new IntakeRefusal('CORRECTED_INVOICE_NOT_REJECTED', `technicalCorrectionOf: invoice ${id} is ${corrected.state}; a technical correction is only for an offline invoice KSeF rejected`, { technicalCorrectionOf: id, state: corrected.state });
    }
    if (command.offline && !sameOfflineMarking(command.offline, inherited)) {
      throw new IntakeRefusal('OFFLINE_MODE_MISMATCH', `A technical correction keeps the corrected invoice's offline marking (${describeMarking(inherited)}); this submission says ${describeMarking(command.offline)}. Omit offline to inherit it`, {
        technicalCorrectionOf: id,
        correctedOffline: inherited,
      });
    }
    return { offline: command.offline ?? inherited, technicalCorrectionOf: corrected.id, hashOfCorrectedInvoice: hashOfCorrectedInvoice(corrected.contentSha256) };
  }

  private sameOrConflict(existing: InvoiceRow, command: SubmitInvoiceCommand, sha256: string, marking: ResolvedMarking): InvoiceRow {
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
    // The offline marking is part of what the ERP declared about the document: a different one is another submission.
    const stored = offlineMarkingOf(existing);
    if (!sameOfflineMarking(stored, marking.offline) || (existing.technicalCorrectionOf ?? undefined) !== marking.technicalCorrectionOf) {
      const what = (offline: OfflineIssue | undefined, correctionOf: string | undefined) => `${describeMarking(offline)}${correctionOf ? `, technical correction of ${correctionOf}` : ''}`;
      throw new IntakeRefusal(
        'IDEMPOTENCY_CONFLICT',
        `ERP document '${command.erpDocumentId}' was already submitted with the same content but marked ${what(stored, existing.technicalCorrectionOf ?? undefined)} (invoice ${existing.id}); this submission is marked ${what(marking.offline, marking.technicalCorrectionOf)}`,
        { existingInvoiceId: existing.id, existingOffline: stored, submittedOffline: marking.offline, existingTechnicalCorrectionOf: existing.technicalCorrectionOf ?? undefined, submittedTechnicalCorrectionOf: marking.technicalCorrectionOf },
      );
    }
    return existing;
  }
}
