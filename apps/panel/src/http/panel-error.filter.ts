import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { AccessDenied } from '../auth/access-policy';
import { BackendError } from '../backend/backend.client';

/** An HTTP error of the panel's API with a stable code. */
export class PanelHttpError extends HttpException {
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super({ error: { code, message, details } }, status);
  }
}

/** Stable codes for what Nest and fastify refuse before a controller runs (the body parser, the router). */
const HTTP_CODES: Record<number, string> = { 400: 'BODY_INVALID', 404: 'NOT_FOUND', 413: 'BODY_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

function isFastifyError(error: unknown): error is { statusCode: number; code: string; message: string } {
  const e = error as { statusCode?: unknown; code?: unknown };
  return typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_');
}

/** Every error of `/api` as `{ error: { code, message } }`; internals are logged, never sent. */
@Catch()
export class PanelErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    let status = 500;
    let body: unknown = { error: { code: 'INTERNAL', message: 'Internal error' } };
    if (error instanceof PanelHttpError) {
      status = error.getStatus();
      body = error.getResponse();
    } else if (error instanceof AccessDenied || error instanceof BackendError) {
      status = error.status;
      body = { error: { code: error.code, message: error.message } };
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      body = { error: { code: HTTP_CODES[status] ?? `HTTP_${status}`, message: error.message } };
    } else if (isFastifyError(error)) {
      // fastify's own refusals (FST_ERR_CTP_INVALID_JSON, _BODY_TOO_LARGE, _INVALID_MEDIA_TYPE …): 4xx with their code.
      status = error.statusCode;
      body = { error: { code: error.code, message: error.message } };
    } else {
      const url = http.getRequest<FastifyRequest>().url.split('?')[0];
      this.logger.error({ err: error, url }, 'unhandled panel API error');
    }
    void reply.status(status).type('application/json').send(body);
  }
}
