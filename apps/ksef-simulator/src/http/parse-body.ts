import type { z } from 'zod';
import { ksefException } from '../domain/ksef-error';

/** Validates a request body; failures are KSeF's 21405 "input validation error" with the validator's messages. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw ksefException('validation', ...result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  }
  return result.data;
}
