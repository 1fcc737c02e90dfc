import { z } from 'zod';
import { Envelope, envelopeSchema } from './envelope';

/** A versioned message: its type, version, topic and payload schema. */
export interface MessageContract<P> {
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  readonly payload: z.ZodType;
  /** Validates an envelope of this contract at the consumer edge; throws a zod error listing every problem. */
  parse(value: unknown): Envelope<P>;
  /** Like `parse`, without throwing: for edges that answer a bad message with a rejection event. */
  safeParse(value: unknown): { success: true; data: Envelope<P> } | { success: false; error: z.ZodError };
}

export function defineMessage<S extends z.ZodType>(def: { type: string; version: number; topic: string; payload: S }): MessageContract<z.infer<S>> {
  const schema = envelopeSchema.extend({ type: z.literal(def.type), version: z.literal(def.version), payload: def.payload });
  return {
    type: def.type,
    version: def.version,
    topic: def.topic,
    payload: def.payload,
    parse: (value: unknown) => schema.parse(value) as Envelope<z.infer<S>>,
    safeParse: (value: unknown) => {
      const result = schema.safeParse(value);
      return result.success ? { success: true, data: result.data as Envelope<z.infer<S>> } : { success: false, error: result.error };
    },
  };
}
