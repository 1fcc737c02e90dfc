import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Link } from '@opentelemetry/api';

/**
 * Runs `fn` in a new span that continues a stored trace (a W3C `traceparent` kept with a job or plan row), so the
 * work a scheduler does later (KSeF calls through undici, events written to the outbox) stays in the invoice's
 * trace instead of starting orphan traces. `links` name the traces of other invoices served by the same work (one
 * batch session, one session listing). Without a traceparent the span is a child of whatever is active.
 */
export async function inTraceOf<T>(
  tracerName: string,
  spanName: string,
  traceparent: string | null | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
  links: ReadonlyArray<string | null | undefined> = [],
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
  const spanLinks: Link[] = links
    .map((tp) => (tp ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: tp })) : undefined))
    .filter((c): c is NonNullable<typeof c> => c !== undefined)
    .map((c) => ({ context: c }));
  return trace.getTracer(tracerName).startActiveSpan(spanName, { attributes, links: spanLinks }, parent, async (span) => {
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

/** Adds attributes (e.g. KSeF reference numbers once KSeF answered) to the active span, if any. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
