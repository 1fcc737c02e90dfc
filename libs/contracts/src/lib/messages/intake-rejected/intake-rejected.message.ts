import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';

/**
 * intake → the ERP that published on the Kafka door: a message that could not be taken in (malformed XML, wrong
 * encoding, oversized, unknown tenant, missing fields, conflicting resubmission). Key: the ERP document id when it
 * could be read, else the rejected message's id. The same code and message the HTTP door would answer.
 */
export const intakeRejectedPayload = z.object({
  /** Envelope id of the rejected ERP message (or `unknown` when it was not an envelope at all). */
  sourceMessageId: z.string().min(1),
  sourceTopic: z.string().min(1),
  erpDocumentId: z.string().optional(),
  /** Stable code, e.g. `XML_MALFORMED`, `DOCUMENT_TOO_LARGE`, `UNKNOWN_TENANT`, `IDEMPOTENCY_CONFLICT`. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string().min(1),
  /** The existing invoice, for a conflict. */
  existingInvoiceId: z.string().uuid().optional(),
});

export const intakeRejected = defineMessage({ type: 'intake.rejected', version: 1, topic: TOPICS.intakeRejected, payload: intakeRejectedPayload });

export type IntakeRejected = z.infer<typeof intakeRejectedPayload>;
