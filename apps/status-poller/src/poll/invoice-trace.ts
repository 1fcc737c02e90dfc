import type { Attributes } from '@opentelemetry/api';
import { inTraceOf } from '@ksef-bridge/observability';

/**
 * Runs `fn` in a span that continues an invoice's stored trace (`traceparent` from invoice.submitted), so the KSeF
 * calls made inside (undici spans) and the events written inside are children of the invoice's trace, not orphans.
 * `links` name other invoices' traces served by the same call (one session listing for many invoices).
 */
export function inInvoiceTrace<T>(name: string, traceparent: string | null | undefined, attributes: Attributes, fn: () => Promise<T>, links: Array<string | null> = []): Promise<T> {
  return inTraceOf('status-poller', name, traceparent, attributes, fn, links);
}
