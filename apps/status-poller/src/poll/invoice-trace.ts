import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Link } from '@opentelemetry/api';
import { getTracer } from '@ksef-bridge/observability';

/**
 * Runs `fn` in a span that continues an invoice's stored trace (`traceparent` from invoice.submitted), so the KSeF
 * calls made inside (undici spans) and the events written inside are children of the invoice's trace, not orphans.
 * `links` name other invoices' traces served by the same call (one session listing for many invoices).
 */
export async function inInvoiceTrace<T>(name: string, traceparent: string | null | undefined, attributes: Attributes, fn: () => Promise<T>, links: Array<string | null> = []): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
  const spanLinks: Link[] = links
    .map((tp) => (tp ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: tp })) : undefined))
    .filter((c): c is NonNullable<typeof c> => c !== undefined)
    .map((c) => ({ context: c }));
  return getTracer('status-poller').startActiveSpan(name, { attributes, links: spanLinks }, parent, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
