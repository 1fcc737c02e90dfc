import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiErrorBody } from './api-error.filter';

/** Methods whose body intake reads: they must send JSON. */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * intake's API takes JSON only. Nest's fastify adapter registers parsers for more (a form-urlencoded body was taken
 * in as if it were JSON, text/plain reached the schema as a string), so this refuses every other content type on the
 * routes it is applied to with 415 CONTENT_TYPE_UNSUPPORTED, in intake's error shape. It runs before fastify parses the
 * body (middleware runs at onRequest), so a refused body is never parsed. A request without a body and without a
 * content type passes: the route's own checks answer it (REQUEST_INVALID).
 */
@Injectable()
export class JsonOnlyMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (!WITH_BODY.has(req.method ?? '')) return next();
    const contentType = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (contentType === undefined && !hasBody) return next();
    if (isJson(contentType)) return next();
    const body: ApiErrorBody = {
      error: {
        code: 'CONTENT_TYPE_UNSUPPORTED',
        message: 'This API accepts only application/json request bodies',
        details: { contentType: (contentType ?? '(none)').slice(0, 100) },
      },
    };
    res.statusCode = 415;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}

/** `application/json`, with parameters (charset) allowed, case-insensitive (RFC 9110 media types). */
export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}
