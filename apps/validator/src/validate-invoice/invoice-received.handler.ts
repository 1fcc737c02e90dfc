import type { DataSource } from 'typeorm';
import { invoiceInvalid, invoiceReceived, invoiceValidated, type Envelope, type InvoiceInvalid, type InvoiceReceived, type InvoiceValidated } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { BatchMessageHandler, ReceivedMessage } from '@ksef-bridge/kafka';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { newEnvelope, type Inbox, type OutboxWriter, type OutgoingMessage } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { IntakeDocumentClient } from '../claim-check/intake-document.client';
import { validateInvoice } from '../domain/validate-invoice';
import type { ValidatorTopics } from '../validator.settings';

/** Consumer group of the validator. */
export const VALIDATOR_GROUP = 'validator.invoice-received';

/** Document reads in flight per batch: enough to hide latency, few enough not to hold many 3 MB files at once. */
const FETCH_CONCURRENCY = 4;

export interface InvoiceReceivedDeps {
  dataSource: DataSource;
  inbox: Inbox;
  outbox: OutboxWriter;
  documents: IntakeDocumentClient;
  xml: KsefXmlValidator;
  topics: ValidatorTopics;
  now?: () => Date;
  /** Called once per verdict committed. */
  onVerdict?: (verdict: 'valid' | 'invalid', stage: string) => void;
}

/**
 * invoice.received → invoice.validated (keyed by the KSeF context NIP, carrying the offline marking and
 * hashOfCorrectedInvoice unchanged) or invoice.invalid (keyed by invoice id).
 * Documents are read and validated before the transaction opens, so no database connection waits on the network;
 * the transaction then records the inbox entries and the verdict events together.
 */
export function invoiceReceivedHandler(deps: InvoiceReceivedDeps): BatchMessageHandler {
  const now = deps.now ?? (() => new Date());
  return async (messages) => {
    const events = messages.map(parse);
    const verdicts = await mapLimit(events, FETCH_CONCURRENCY, async (event) => validateInvoice(deps.xml, await deps.documents.fetch(event.payload.document), now(), event.payload.offline));
    const outgoing = new Map<string, OutgoingMessage>();
    messages.forEach((message, i) => outgoing.set(message.envelope.id, verdictMessage(events[i], verdicts[i], message, deps.topics)));
    const fresh = await withTransaction(deps.dataSource, async (manager) => {
      const unseen = await deps.inbox.claim(manager, messages);
      await deps.outbox.enqueue(
        manager,
        unseen.map((m) => outgoing.get(m.envelope.id) as OutgoingMessage),
      );
      return new Set(unseen.map((m) => m.envelope.id));
    });
    messages.forEach((message, i) => {
      const verdict = verdicts[i];
      if (fresh.has(message.envelope.id)) deps.onVerdict?.(verdict.valid ? 'valid' : 'invalid', verdict.valid ? '' : verdict.stage);
    });
  };
}

function parse(message: ReceivedMessage): Envelope<InvoiceReceived> {
  const result = invoiceReceived.safeParse(message.envelope);
  if (!result.success) throw new ValidationError(`invoice.received does not match its contract: ${result.error.message}`);
  return result.data;
}

function verdictMessage(event: Envelope<InvoiceReceived>, verdict: ReturnType<typeof validateInvoice>, message: ReceivedMessage, topics: ValidatorTopics): OutgoingMessage {
  const { invoiceId, erpDocumentId, document, offline, hashOfCorrectedInvoice } = event.payload;
  if (verdict.valid) {
    const payload: InvoiceValidated = {
      invoiceId,
      erpDocumentId,
      contextNip: verdict.contextNip,
      form: verdict.form,
      invoiceNumber: verdict.invoiceNumber,
      invoiceType: verdict.invoiceType,
      issueDate: verdict.issueDate,
      document,
      // Intake's marking, passed on unchanged: the sender sends with offlineMode (and the hash) by the legal deadline.
      ...(offline ? { offline } : {}),
      ...(hashOfCorrectedInvoice ? { hashOfCorrectedInvoice } : {}),
    };
    return {
      topic: topics.invoiceValidated,
      envelope: newEnvelope({ type: invoiceValidated.type, version: invoiceValidated.version, aggregateId: verdict.contextNip, tenant: event.tenant, payload, traceparent: message.traceparent }),
    };
  }
  const payload: InvoiceInvalid = { invoiceId, erpDocumentId, stage: verdict.stage, issues: verdict.issues };
  return {
    topic: topics.invoiceInvalid,
    envelope: newEnvelope({ type: invoiceInvalid.type, version: invoiceInvalid.version, aggregateId: invoiceId, tenant: event.tenant, payload, traceparent: message.traceparent }),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
