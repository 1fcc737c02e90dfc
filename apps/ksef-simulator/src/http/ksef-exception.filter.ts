import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { KsefError, ksefException } from '../domain/ksef-error';
import { SimClock } from '../domain/clock';
import { writeKsefError } from './ksef-error-body';
import { safeError } from '../domain/safe-error';

/**
 * Turns every error on a KSeF route into the documented KSeF body: ExceptionResponse (or problem details when the
 * client sends `X-Error-Format: problem-details`) for 400, problem+json for 401/403/404/410, a plain 500 otherwise.
 */
@Catch()
export class KsefExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly clock: SimClock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let ksef: KsefError;
    if (error instanceof KsefError) ksef = error;
    else if (error instanceof HttpException && error.getStatus() === 404) ksef = new KsefError(404, 'notFound', 'Nie znaleziono zasobu.');
    else if (error instanceof HttpException && error.getStatus() < 500) ksef = ksefException('validation', error.message);
    else {
      // Only message and code: driver errors carry query parameters, i.e. invoice contents, which never reach logs.
      this.logger.error({ error: safeError(error), url: request.url.split('?')[0] }, 'unhandled simulator error');
      void reply.status(500).type('application/json').send({ title: 'Internal Server Error', status: 500, traceId: randomUUID() });
      return;
    }
    writeKsefError(reply, request, ksef, this.clock.date());
  }
}
