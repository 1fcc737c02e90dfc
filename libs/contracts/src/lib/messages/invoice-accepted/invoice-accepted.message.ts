import { z } from 'zod';
import { defineMessage } from '../../message-contract';
import { TOPICS } from '../../topics';
import { erpDocumentIdSchema, invoiceIdSchema, nipSchema } from '../shared/invoice-fields.schema';

/**
 * status-poller → intake (records ACCEPTED and keeps the UPO), notifier, downstream accounting: KSeF accepted the
 * invoice and gave it a KSeF number. The invoice exists legally from here. Key: invoice id. Emitted once per invoice.
 * A KSeF duplicate (440) resolves here to the ORIGINAL KSeF number (`duplicate: true`), never to a rejection.
 */
export const invoiceAcceptedPayload = z.object({
  invoiceId: invoiceIdSchema,
  erpDocumentId: erpDocumentIdSchema,
  contextNip: nipSchema,
  /** The KSeF number, e.g. `5265877635-20260101-0100001AF629-AF`. */
  ksefNumber: z.string().min(30).max(40),
  /** KSeF's acquisition date (`permanentStorageDate`/`acquisitionDate`): the legal moment of issue. */
  acquisitionDate: z.string().datetime({ offset: true }),
  sessionReferenceNumber: z.string().min(1),
  invoiceReferenceNumber: z.string().min(1),
  /** SHA-256 of the plain invoice, Base64 (KSeF's `invoiceHash`). */
  invoiceHash: z.string().min(1),
  /** The invoice's UPO (official receipt) XML, validated against the UPO schema; absent only when KSeF has not issued it yet (then `upoPending`). */
  upoXml: z.string().min(1).optional(),
  /** True when the UPO could not be fetched before the deadline; the poller keeps trying and the regulatory metric counts it. */
  upoPending: z.boolean().default(false),
  /** True when KSeF answered 440 (duplicate) and `ksefNumber` is the original invoice's number. */
  duplicate: z.boolean().default(false),
  acceptedAt: z.string().datetime({ offset: true }),
});

export const invoiceAccepted = defineMessage({ type: 'invoice.accepted', version: 1, topic: TOPICS.invoiceAccepted, payload: invoiceAcceptedPayload });

export type InvoiceAccepted = z.infer<typeof invoiceAcceptedPayload>;
