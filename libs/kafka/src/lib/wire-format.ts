import { envelopeSchema, HEADER, type Envelope } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';

export interface WireMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** key = aggregateId, value = the envelope without headers, Kafka headers = envelope headers + identity headers. */
export function toWire(envelope: Envelope): WireMessage {
  const { headers, ...body } = envelope;
  return {
    key: envelope.aggregateId,
    value: JSON.stringify(body),
    headers: {
      ...headers,
      [HEADER.messageId]: envelope.id,
      [HEADER.messageType]: envelope.type,
      [HEADER.messageVersion]: String(envelope.version),
      [HEADER.tenant]: envelope.tenant,
    },
  };
}

/** Parses a consumed message back into a validated envelope; a broken one is a non-retriable ValidationError. */
export function fromWire(value: Buffer | string | null, headers: Record<string, string>): Envelope {
  if (value === null) throw new ValidationError('Kafka message has no value');
  let body: unknown;
  try {
    body = JSON.parse(value.toString());
  } catch (cause) {
    throw new ValidationError('Kafka message value is not JSON', { cause });
  }
  const parsed = envelopeSchema.safeParse({ ...(body as object), headers });
  if (!parsed.success) throw new ValidationError(`Kafka message is not a valid envelope: ${parsed.error.message}`);
  return parsed.data;
}
