import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, invoiceMetadataSchema, offlineIssueSchema } from '../shared/invoice-fields.schema';

/**
 * ERP → intake (the Kafka door). Key: the ERP document id. `envelope.tenant` is the tenant id the producer is
 * authorised for (Kafka ACLs authenticate the producer). The XML travels as base64 of its exact bytes, so intake can
 * check the encoding (UTF-8 without BOM) like the HTTP door does. Broker limits cap this door at about 700 kB of XML
 * per message (1 MB default max message); larger invoices go through the HTTP door.
 */
export const erpInvoiceSubmittedPayload = z.object({
  erpDocumentId: erpDocumentIdSchema,
  xmlBase64: z.string().min(1),
  metadata: invoiceMetadataSchema.optional(),
  /** Issued offline (API.md §11): sent with `offlineMode: true` by its legal deadline. */
  offline: offlineIssueSchema.optional(),
  /**
   * Technical correction: our invoice id of the tenant's offline invoice KSeF rejected, which this document corrects.
   * Intake checks it and turns it into `hashOfCorrectedInvoice` downstream.
   */
  technicalCorrectionOf: invoiceIdSchema.optional(),
});

export const erpInvoiceSubmitted = defineMessage({ type: 'erp.invoice-submitted', version: 1, topic: TOPICS.erpInvoiceSubmitted, payload: erpInvoiceSubmittedPayload });

export type ErpInvoiceSubmitted = z.infer<typeof erpInvoiceSubmittedPayload>;
