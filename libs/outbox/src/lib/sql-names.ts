/** Quoted schema name; refuses anything that is not a plain identifier (schema names come from code, never input). */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`);
  return `"${schema}"`;
}

/** TypeORM's postgres driver returns `[rows, affectedCount]` for UPDATE/DELETE … RETURNING and bare rows otherwise. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
