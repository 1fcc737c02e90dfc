import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { invoiceAccepted, invoiceProcessing, invoiceUpoReceived, type InvoiceAccepted, type InvoiceUpoReceived } from '@ksef-bridge/contracts';
import { PermanentError, TransientError, ValidationError } from '@ksef-bridge/errors';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';
import type { ReceivedMessage } from '@ksef-bridge/kafka';
import type { InvoiceLifecycle } from '../invoices/invoice-lifecycle';
import type { InvoiceRepository, InvoiceRow } from '../invoices/invoice.repository';
import { parseContract } from './parse-contract';

/** Consumer group recording what KSeF made of a sent invoice (status-poller's events). */
export const KSEF_VERDICT_GROUP = 'intake.ksef-verdicts';

/**
 * States in which KSeF cannot have issued a UPO for the invoice: a UPO for them is an anomaly, not something to keep.
 * CANCELLED is not one: a person may cancel an escalated invoice that KSeF accepts later (and so issues its UPO).
 */
const NO_UPO_POSSIBLE: ReadonlySet<InvoiceState> = new Set(['INVALID', 'REJECTED']);

/** States before KSeF received the invoice as far as intake knows: a verdict for them means intake is behind. */
const NOT_SENT_YET: ReadonlySet<InvoiceState> = new Set(['RECEIVED', 'QUEUED', 'OFFLINE']);

/**
 * Records the status-poller's reports of KSeF's processing:
 * - `invoice.processing` (KSeF status 150): SENT → PROCESSING (w trakcie przetwarzania);
 * - `invoice.accepted`: SENT/PROCESSING → ACCEPTED (przyjęta), with the KSeF number and acquisition date on the
 *   invoice row, the UPO in `invoice_upos`, and the reference numbers in the history. A 440 duplicate carries the
 *   original invoice's number and is recorded as such;
 * - `invoice.upo-received`: the UPO of an invoice accepted earlier with `upoPending`, kept in `invoice_upos` (not a
 *   transition, so no history row; `received_at` says when).
 *
 * A verdict that comes after an escalation (the poller keeps watching submissions it escalated with KSEF_NO_VERDICT)
 * moves ESCALATED → ACCEPTED; one for an invoice a person cancelled meanwhile moves CANCELLED → ACCEPTED, because
 * KSeF's acceptance is the legal fact (the invoice exists, with its number). Both are flagged `lateVerdict` in the
 * history, the latter with `overridesCancellation`, and the status-changed event's reason says so.
 *
 * The poller follows `invoice.submitted`, which intake records in another consumer group, so a verdict can overtake
 * it: "intake is behind" (INVOICE_STATE_BEHIND, retriable; the runner backs off) until SENT is recorded. Because the
 * receipt is consumed by a different group, waiting here never blocks it. A verdict already recorded (or superseded
 * by a later one) is a redelivery: no effect.
 */
export class KsefVerdictHandler {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly lifecycle: InvoiceLifecycle,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const { envelope } = message;
    if (envelope.type === invoiceProcessing.type) {
      const { payload } = parseContract(invoiceProcessing, message);
      const invoice = await this.sent(manager, payload.invoiceId, envelope.tenant, envelope.type);
      // Only SENT moves on: PROCESSING is already recorded, anything later is a verdict this report is stale against.
      if (invoice.state !== 'SENT') return;
      await this.lifecycle.transition(manager, invoice, 'PROCESSING', {
        actor: 'status-poller',
        traceparent: message.traceparent,
        ksefReferenceNumber: payload.invoiceReferenceNumber,
        reason: payload.description,
        details: { statusCode: payload.statusCode, description: payload.description, sessionReferenceNumber: payload.sessionReferenceNumber, invoiceReferenceNumber: payload.invoiceReferenceNumber, observedAt: payload.observedAt },
      });
    } else if (envelope.type === invoiceAccepted.type) {
      const { payload } = parseContract(invoiceAccepted, message);
      const invoice = await this.sent(manager, payload.invoiceId, envelope.tenant, envelope.type);
      if (invoice.state === 'ACCEPTED') return;
      await this.accept(manager, invoice, payload, message.traceparent);
    } else if (envelope.type === invoiceUpoReceived.type) {
      const { payload } = parseContract(invoiceUpoReceived, message);
      await this.upoReceived(manager, payload, envelope.tenant);
    } else {
      throw new ValidationError(`unexpected message type ${envelope.type} on ${message.topic}`);
    }
  }

  private async accept(manager: EntityManager, invoice: InvoiceRow, payload: InvoiceAccepted, traceparent: string | undefined): Promise<void> {
    const upoSha256 = payload.upoXml === undefined ? undefined : sha256Hex(payload.upoXml);
    const late = lateVerdictNote(invoice.state, payload.ksefNumber);
    // The transition first: it refuses states KSeF's acceptance cannot follow (e.g. INVALID, REJECTED) before
    // anything is stored, and the whole change commits or rolls back as one.
    await this.lifecycle.transition(manager, invoice, 'ACCEPTED', {
      actor: 'status-poller',
      traceparent,
      ksefReferenceNumber: payload.invoiceReferenceNumber,
      ksefNumber: payload.ksefNumber,
      reason: late?.reason ?? (payload.duplicate ? `KSeF reported a duplicate (440): the invoice already has KSeF number ${payload.ksefNumber}` : undefined),
      details: {
        ...late?.details,
        ksefNumber: payload.ksefNumber,
        acquisitionDate: payload.acquisitionDate,
        sessionReferenceNumber: payload.sessionReferenceNumber,
        invoiceReferenceNumber: payload.invoiceReferenceNumber,
        invoiceHash: payload.invoiceHash,
        duplicate: payload.duplicate,
        ...(payload.duplicate ? { note: "KSeF answered 440 (duplicate): the number is the original invoice's" } : {}),
        upoPending: payload.upoXml === undefined,
        upoSha256,
        acceptedAt: payload.acceptedAt,
      },
    });
    try {
      await this.invoices.recordKsefNumber(manager, invoice.id, { ksefNumber: payload.ksefNumber, acquisitionDate: payload.acquisitionDate, duplicate: payload.duplicate });
    } catch (cause) {
      // Two invoices given the same number without a 440: a broken producer or a KSeF anomaly a person must see.
      if (isUniqueViolation(cause)) throw new PermanentError('KSEF_NUMBER_CONFLICT', `KSeF number ${payload.ksefNumber} is already recorded for another invoice`, { cause });
      throw cause;
    }
    if (payload.upoXml !== undefined && upoSha256) await this.invoices.storeUpo(manager, invoice.id, { sha256: upoSha256, xml: payload.upoXml });
  }

  /**
   * A late UPO is kept whatever state intake has recorded so far: it shares this consumer with `invoice.accepted`, so
   * waiting for ACCEPTED here could hold back the acceptance itself, and the UPO is KSeF's own evidence. It must name
   * the number the invoice was accepted with (when that is recorded); the first UPO stored stays.
   */
  private async upoReceived(manager: EntityManager, payload: InvoiceUpoReceived, tenant: string): Promise<void> {
    const invoice = await this.invoices.lockById(manager, payload.invoiceId);
    if (!invoice || invoice.tenantId !== tenant) throw new PermanentError('INVOICE_NOT_FOUND', `no invoice ${payload.invoiceId} for tenant ${tenant}`);
    if (NO_UPO_POSSIBLE.has(invoice.state)) throw new PermanentError('UPO_UNEXPECTED', `a UPO for invoice ${invoice.id} in ${invoice.state}`);
    if (invoice.ksefNumber !== null && invoice.ksefNumber !== payload.ksefNumber) {
      throw new PermanentError('UPO_KSEF_NUMBER_MISMATCH', `the UPO names KSeF number ${payload.ksefNumber}, invoice ${invoice.id} has ${invoice.ksefNumber}`);
    }
    await this.invoices.storeUpo(manager, invoice.id, { sha256: sha256Hex(payload.upoXml), xml: payload.upoXml });
  }

  /** The locked invoice once intake knows KSeF received it (earlier: retriable "behind"). */
  private async sent(manager: EntityManager, invoiceId: string, tenant: string, type: string): Promise<InvoiceRow> {
    const invoice = await this.invoices.lockById(manager, invoiceId);
    if (!invoice || invoice.tenantId !== tenant) throw new PermanentError('INVOICE_NOT_FOUND', `no invoice ${invoiceId} for tenant ${tenant}`);
    if (NOT_SENT_YET.has(invoice.state)) {
      throw new TransientError('INVOICE_STATE_BEHIND', `${type} for invoice ${invoice.id} in ${invoice.state}: waiting for the sender's receipt (invoice.submitted) to be recorded`);
    }
    return invoice;
  }
}

/** What a late acceptance (after an escalation, or after a person's cancellation) adds to the history and the event. */
function lateVerdictNote(state: InvoiceState, ksefNumber: string): { reason: string; details: Record<string, unknown> } | undefined {
  if (state === 'ESCALATED') {
    return { reason: `KSeF accepted the invoice after it was escalated (KSeF number ${ksefNumber})`, details: { lateVerdict: true } };
  }
  if (state === 'CANCELLED') {
    return {
      reason: `KSeF accepted the invoice after it was cancelled: it exists in KSeF with number ${ksefNumber}; correct it in KSeF (e.g. a correcting invoice) if it should not`,
      details: { lateVerdict: true, overridesCancellation: true },
    };
  }
  return undefined;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
