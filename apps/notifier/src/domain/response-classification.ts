/** What one webhook attempt means for its delivery. */
export type AttemptClass = 'delivered' | 'retriable' | 'permanent';

/**
 * 2xx: delivered. 408 (timeout), 429 (slow down) and 5xx: the endpoint may take it later, retry. Anything else
 * (3xx: redirects are never followed, as they could point anywhere; 4xx such as 400, 401, 404, 410): the endpoint
 * refuses this event, and repeating the same request cannot change that, so the delivery is dead at once.
 */
export function classifyStatus(status: number): AttemptClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retriable';
  return 'permanent';
}

/** A request that got no HTTP answer (timeout, refused, reset, DNS) is always retriable: a short text for the record. */
export function describeTransportError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout: no answer within the webhook timeout';
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `connection: ${cause.code}`;
    return `connection: ${cause?.message ?? err.message}`;
  }
  return `connection: ${String(err)}`;
}
