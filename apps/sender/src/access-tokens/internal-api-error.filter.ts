import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@ksef-bridge/errors';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import type { InternalApiErrorBody } from './internal-token.guard';

/** Every error on the sender's internal routes as `{ code, message, retriable }`; internals never leave the process. */
@Catch()
export class InternalApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    let status = 500;
    let body: InternalApiErrorBody = { code: 'INTERNAL', message: 'Internal error', retriable: true };
    if (error instanceof HttpException) {
      status = error.getStatus();
      const response = error.getResponse();
      body = typeof response === 'object' && response !== null && 'code' in response ? (response as InternalApiErrorBody) : { code: `HTTP_${status}`, message: error.message, retriable: status >= 500 };
    } else {
      // Code and message only (never a token); the message is cut, driver errors can be long.
      const url = http.getRequest<FastifyRequest>().url.split('?')[0];
      this.logger.error({ code: error instanceof AppError ? error.code : undefined, message: error instanceof Error ? error.message.slice(0, 200) : undefined, url }, 'unhandled internal API error');
    }
    void reply.status(status).type('application/json').send(body);
  }
}
