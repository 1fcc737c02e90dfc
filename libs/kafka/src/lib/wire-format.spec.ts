import { randomUUID } from 'node:crypto';
import { ValidationError } from '@ksef-bridge/errors';
import { fromWire, toWire } from './wire-format';

describe('wire format', () => {
  const envelope = { id: randomUUID(), type: 'invoice.received', version: 1, aggregateId: 'inv-1', tenant: 't1', occurredAt: '2026-01-01T00:00:00.000Z', payload: { a: 1 }, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } };

  it('round-trips an envelope', () => {
    const wire = toWire(envelope);
    expect(wire.key).toBe('inv-1');
    expect(JSON.parse(wire.value)).not.toHaveProperty('headers');
    expect(wire.headers['message-id']).toBe(envelope.id);
    expect(fromWire(Buffer.from(wire.value), wire.headers)).toEqual({ ...envelope, headers: wire.headers });
  });

  it('rejects broken messages as non-retriable validation errors', () => {
    expect(() => fromWire(null, {})).toThrow(ValidationError);
    expect(() => fromWire('{not json', {})).toThrow(/not JSON/);
    expect(() => fromWire(JSON.stringify({ id: 'x' }), {})).toThrow(/not a valid envelope/);
  });
});
