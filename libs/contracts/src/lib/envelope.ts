import { z } from 'zod';

/**
 * Well-known envelope header names. Trace context travels as W3C `traceparent`/`tracestate`, so one trace
 * spans producer, outbox relay and consumer.
 */
export const HEADER = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  correlationId: 'correlation-id',
  /** Delivery attempt of this message by the consumer runner (1-based). */
  attempt: 'attempt',
  messageId: 'message-id',
  messageType: 'message-type',
  messageVersion: 'message-version',
  tenant: 'tenant',
} as const;

/**
 * The one envelope for every Kafka message and outbox row (CONVENTIONS.md "One envelope").
 * `id` is the dedupe key used by inboxes; `aggregateId` is the Kafka key, so one aggregate's events stay in order.
 */
export const envelopeSchema = z.object({
  id: z.string().uuid(),
  type: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'type must look like "invoice.received"'),
  version: z.number().int().positive(),
  aggregateId: z.string().min(1).max(200),
  tenant: z.string().min(1).max(100),
  occurredAt: z.string().datetime({ offset: true }),
  payload: z.unknown(),
  headers: z.record(z.string(), z.string()).default({}),
});

export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };
