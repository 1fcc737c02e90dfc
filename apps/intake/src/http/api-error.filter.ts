import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@ksef-bridge/errors';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { IntakeRefusal } from '../invoices/domain/intake-refusal';

/** The one error body of intake's API: `{ error: { code, message, details? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An HTTP error with a stable code, thrown by controllers and guards. */
export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super({ error: { code, message, details } } satisfies ApiErrorBody, status);
  }
}

/**
 * Maps every error on intake's routes to ApiErrorBody: refusals with their own status, retriable failures (database
 * down) to 503 so clients retry with the same Idempotency-Key, anything else to 500 without internals.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    let status: number;
    let body: ApiErrorBody;
    if (error instanceof IntakeRefusal) {
      status = error.httpStatus;
      body = { error: { code: error.code, message: error.message, details: Object.keys(error.details).length ? { ...error.details } : undefined } };
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      const response = error.getResponse();
      body = typeof response === 'object' && response !== null && 'error' in response && typeof response.error === 'object' ? (response as ApiErrorBody) : { error: { code: `HTTP_${status}`, message: error.message } };
    } else if (error instanceof AppError && error.retriable) {
      status = 503;
      body = { error: { code: error.code, message: 'Temporarily unavailable; retry with the same Idempotency-Key' } };
      this.logger.warn({ code: error.code, url: request.url.split('?')[0] }, 'retriable failure on the API');
    } else {
      status = 500;
      body = { error: { code: 'INTERNAL', message: 'Internal error' } };
      // Code and message only: driver errors can echo query parameters, i.e. invoice contents.
      this.logger.error({ code: error instanceof AppError ? error.code : undefined, message: error instanceof Error ? error.message.slice(0, 200) : undefined, url: request.url.split('?')[0] }, 'unhandled API error');
    }
    void reply.status(status).type('application/json').send(body);
  }
}
