import { trace } from '@opentelemetry/api';
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino replaces with "[redacted]". Secrets and invoice contents never reach logs (CONVENTIONS.md);
 * this is the safety net, not the policy: code should not log such fields in the first place.
 */
const SECRET_FIELDS = [
  'token', 'accessToken', 'refreshToken', 'authenticationToken', 'ksefToken', 'apiKey', 'password', 'privateKey',
  'encryptedToken', 'encryptedSymmetricKey', 'encryptedInvoiceContent', 'invoiceXml', 'xml',
];
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization',
];

export interface LoggerConfig {
  serviceName: string;
  level?: LoggerOptions['level'];
  /** Destination stream, default stdout. */
  destination?: pino.DestinationStream;
}

/** Structured JSON logs with the active trace and span ids, so a log line leads to its trace in Jaeger. */
export function createLogger(config: LoggerConfig): Logger {
  return pino(
    {
      name: config.serviceName,
      level: config.level ?? 'info',
      base: { service: config.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const ctx = trace.getActiveSpan()?.spanContext();
        return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
      },
    },
    config.destination,
  );
}
