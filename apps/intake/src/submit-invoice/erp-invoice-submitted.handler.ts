import type { EntityManager } from 'typeorm';
import { deadLetterTopic, erpInvoiceSubmitted, intakeRejected, type IntakeRejected } from '@ksef-bridge/contracts';
import { deadLetterHeaders, type ReceivedMessage } from '@ksef-bridge/kafka';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import type { IntakeMetrics } from '../intake.metrics';
import type { IntakeSettings } from '../intake.settings';
import { IntakeRefusal } from '../invoices/domain/intake-refusal';
import { parseOfflineMarking, parseTechnicalCorrectionOf } from '../invoices/domain/offline-marking';
import { freeTextFields, refuseUnstorableText, withoutNul } from '../invoices/domain/storable-text';
import type { TenantRepository } from '../tenants/tenant.repository';
import type { SubmitInvoiceUseCase } from './submit-invoice.use-case';

/** Consumer group of the Kafka door. */
export const ERP_DOOR_GROUP = 'intake.erp-door';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The Kafka door: same semantics as `POST /v1/invoices`. A refused submission is answered, in the same transaction
 * as the inbox record, by an intake.rejected event (for the ERP) and a dead-letter record of the original message
 * (for an operator), both through the outbox; the consumer does not throw, so the partition moves on.
 */
export class ErpInvoiceSubmittedHandler {
  constructor(
    private readonly submit: SubmitInvoiceUseCase,
    private readonly tenants: TenantRepository,
    private readonly outbox: OutboxWriter,
    private readonly settings: IntakeSettings,
    private readonly metrics: IntakeMetrics,
  ) {}

  async handle(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    try {
      // The marking first, with its precise codes (OFFLINE_MODE_UNKNOWN, ...); the contract would only say REQUEST_INVALID.
      const rawPayload = message.envelope.payload as { offline?: unknown; technicalCorrectionOf?: unknown } | null;
      // Characters PostgreSQL or XML cannot store, before anything else: the answer names the field and the character.
      refuseUnstorableText(freeTextFields(rawPayload).map(([field, value]) => [`payload.${field}`, value] as const));
      if (rawPayload && typeof rawPayload === 'object') {
        parseOfflineMarking(rawPayload.offline);
        parseTechnicalCorrectionOf(rawPayload.technicalCorrectionOf);
      }
      const parsed = erpInvoiceSubmitted.safeParse(message.envelope);
      if (!parsed.success) {
        throw new IntakeRefusal('REQUEST_INVALID', `The message does not match ${erpInvoiceSubmitted.type} v${erpInvoiceSubmitted.version}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        });
      }
      const { erpDocumentId, xmlBase64, metadata, offline, technicalCorrectionOf } = parsed.data.payload;
      if (!BASE64.test(xmlBase64)) throw new IntakeRefusal('REQUEST_INVALID', 'payload.xmlBase64 is not base64');
      if (!(await this.tenants.isActive(manager, message.envelope.tenant))) {
        throw new IntakeRefusal('UNKNOWN_TENANT', `Tenant '${message.envelope.tenant}' is unknown or disabled`);
      }
      const result = await this.submit.execute(manager, {
        tenantId: message.envelope.tenant,
        erpDocumentId,
        xml: Buffer.from(xmlBase64, 'base64'),
        metadata: metadata ?? {},
        offline,
        technicalCorrectionOf: technicalCorrectionOf?.toLowerCase(),
        actor: 'intake:kafka',
        traceparent: message.traceparent,
      });
      // Counted when applied: a batch rolled back and retried may count twice, never zero times.
      this.metrics.submission('kafka', result.created ? 'created' : 'existing');
    } catch (error) {
      if (!(error instanceof IntakeRefusal)) throw error;
      await this.reject(manager, message, error);
      this.metrics.submission('kafka', 'refused', error.code);
    }
  }

  private async reject(manager: EntityManager, message: ReceivedMessage, refusal: IntakeRefusal): Promise<void> {
    const { envelope } = message;
    const payloadDocumentId = (envelope.payload as { erpDocumentId?: unknown } | null)?.erpDocumentId;
    // The outbox stores envelopes as jsonb (and the aggregate id as text), which refuse U+0000: the answer and the
    // dead-letter copy write it as the text `\u0000` (every other character is kept as sent), so a message carrying
    // one is answered like any other.
    const erpDocumentId = typeof payloadDocumentId === 'string' && payloadDocumentId.length > 0 ? withoutNul(payloadDocumentId.slice(0, 200)) : undefined;
    const existingInvoiceId = typeof refusal.details['existingInvoiceId'] === 'string' ? refusal.details['existingInvoiceId'] : undefined;
    const payload: IntakeRejected = { sourceMessageId: envelope.id, sourceTopic: message.topic, erpDocumentId, code: refusal.code, message: refusal.message, existingInvoiceId };
    const rejection = newEnvelope({
      type: intakeRejected.type,
      version: intakeRejected.version,
      aggregateId: erpDocumentId ?? envelope.id,
      tenant: withoutNul(envelope.tenant),
      payload: withoutNul(payload),
      traceparent: message.traceparent,
    });
    const storable = withoutNul(envelope);
    const deadLetter = {
      ...storable,
      headers: deadLetterHeaders(storable.headers, { error: refusal, attempts: message.attempt, topic: message.topic, partition: message.partition, offset: message.offset, groupId: ERP_DOOR_GROUP, firstFailedAt: new Date() }),
    };
    await this.outbox.enqueue(manager, [
      { topic: this.settings.topics.intakeRejected, envelope: rejection },
      { topic: deadLetterTopic(message.topic), envelope: deadLetter },
    ]);
  }
}
