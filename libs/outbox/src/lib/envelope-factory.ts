import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { HEADER, type Envelope } from '@ksef-bridge/contracts';

export interface NewEnvelope<P> {
  type: string;
  version: number;
  aggregateId: string;
  tenant: string;
  payload: P;
  /** Continue this trace (e.g. `ReceivedMessage.traceparent`); default: the active span's context. */
  traceparent?: string;
  correlationId?: string;
  headers?: Record<string, string>;
  id?: string;
  occurredAt?: Date;
}

/** A new envelope with a fresh id, the current time and the trace context to carry through the outbox. */
export function newEnvelope<P>(init: NewEnvelope<P>): Envelope<P> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.traceparent) headers[HEADER.traceparent] = init.traceparent;
  else propagation.inject(context.active(), headers);
  if (init.correlationId) headers[HEADER.correlationId] = init.correlationId;
  return {
    id: init.id ?? randomUUID(),
    type: init.type,
    version: init.version,
    aggregateId: init.aggregateId,
    tenant: init.tenant,
    occurredAt: (init.occurredAt ?? new Date()).toISOString(),
    payload: init.payload,
    headers,
  };
}
