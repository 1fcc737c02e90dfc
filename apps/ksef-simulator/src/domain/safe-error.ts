/** Loggable summary of an error: driver errors carry query parameters (invoice contents), which never reach logs. */
export function safeError(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: string };
  return { message: e?.message ?? String(error), code: e?.code };
}
