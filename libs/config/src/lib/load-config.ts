import { z } from 'zod';
import { ConfigError } from '@ksef-bridge/errors';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses `env` (default: process.env) with a zod schema and fails fast at boot with every problem listed.
 * This is the only place in the code base that reads the environment.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
  }
  return result.data;
}

/** Reads one raw variable; for tooling (scripts, test helpers) that has no schema of its own. */
export function readEnv(name: string, env: Env = process.env): string | undefined {
  return env[name];
}

/** "true"/"1"/"yes" → true, "false"/"0"/"no"/"" → false. */
export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? defaultValue : ['true', '1', 'yes'].includes(v)));

/** Integer from a string with bounds. */
export const envInt = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

/** Comma-separated list. */
export const envList = (defaultValue: string[]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? defaultValue : v.split(',').map((s) => s.trim()).filter(Boolean)));

/** An optional variable where an empty value means unset (shells and compose files often export `VAR=`). */
export const envOptional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
