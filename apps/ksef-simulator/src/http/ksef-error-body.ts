import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { KsefError } from '../domain/ksef-error';

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone' };

/** Writes `error` in the shape open-api.json documents for its status. */
export function writeKsefError(reply: FastifyReply, request: FastifyRequest, error: KsefError, now: Date): void {
  const traceId = randomUUID().replace(/-/g, '');
  const instance = request.url.split('?')[0];
  const timestamp = now.toISOString();
  if (error.kind === 'exception') {
    if (String(request.headers['x-error-format'] ?? '').toLowerCase() === 'problem-details') {
      void reply
        .status(400)
        .type('application/problem+json')
        .send({
          title: TITLES[400],
          status: 400,
          instance,
          detail: error.message,
          errors: error.exceptionDetails.map((d) => ({ code: d.exceptionCode, description: d.exceptionDescription, details: d.details ?? [] })),
          timestamp,
          traceId,
        });
      return;
    }
    void reply
      .status(400)
      .type('application/json')
      .send({
        exception: {
          exceptionDetailList: error.exceptionDetails.map((d) => ({ exceptionCode: d.exceptionCode, exceptionDescription: d.exceptionDescription, details: d.details ?? null })),
          referenceNumber: null,
          serviceCode: traceId,
          serviceCtx: 'srvKSEFSIM',
          serviceName: 'ksef-simulator',
          timestamp,
        },
      });
    return;
  }
  const body: Record<string, unknown> = { title: TITLES[error.httpStatus] ?? 'Error', status: error.httpStatus, detail: error.message, instance, traceId, timestamp };
  if (error.kind === 'forbidden') body.reasonCode = error.reasonCode;
  void reply.status(error.httpStatus).type('application/problem+json').send(body);
}
