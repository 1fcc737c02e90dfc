import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { registerAdminRoutes } from '../admin/admin.routes';
import { SimClock } from '../domain/clock';
import { FaultPlan, type FaultRule } from '../domain/faults/fault-plan';
import { KsefError } from '../domain/ksef-error';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { RateLimitService } from '../limits/rate-limit.service';
import { InvoiceProcessingService } from '../sessions/invoice-processing.service';
import { SessionViewsService } from '../sessions/session-views.service';
import { BatchSessionService } from '../sessions/batch-session.service';
import { InvoiceExportService } from '../invoices/invoice-export.service';
import { KsefTokenService } from '../tokens/ksef-token.service';
import { writeKsefError } from './ksef-error-body';
import { SignedUrlService } from './signed-url.service';
import { SimulatorMetrics } from './simulator-metrics';
import { groupOf } from '../domain/rate-limit/rate-limit-groups';
import { LatarniaService } from '../latarnia/latarnia.service';
import { registerLatarniaAdmin, registerLatarniaFeed } from '../latarnia/latarnia.routes';

/** Request-scoped fault decided in onRequest and applied after the handler (slow, drop). */
const pendingFault = new WeakMap<FastifyRequest, FaultRule>();

/** Reads the context of a bearer token without verifying it: good enough to key rate limits (the handler verifies). */
function contextKey(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  if (!auth) return '-';
  try {
    const payload = JSON.parse(Buffer.from(auth.split('.')[1] ?? '', 'base64url').toString('utf8')) as { ctxType?: string; ctxValue?: string };
    return payload.ctxType ? `${payload.ctxType}:${payload.ctxValue}` : '-';
  } catch {
    return '-';
  }
}

function tooManyRequests(reply: FastifyReply, request: FastifyRequest, retryAfterSeconds: number, detail: string) {
  void reply.header('Retry-After', String(retryAfterSeconds));
  const details = [detail, `Spróbuj ponownie po ${retryAfterSeconds} sekundach.`];
  if (String(request.headers['x-error-format'] ?? '').toLowerCase() === 'problem-details') {
    return reply.status(429).type('application/problem+json').send({ title: 'Too Many Requests', status: 429, detail: details.join(' '), instance: request.url.split('?')[0] });
  }
  return reply.status(429).type('application/json').send({ status: { code: 429, description: 'Too Many Requests', details } });
}

/**
 * Fastify-level pieces of the simulator: body parsers for XML and binary uploads, the rate limiter, fault
 * injection, token-less storage links (UPO downloads, batch part uploads) and the admin API.
 */
export function configureSimulatorHttp(nest: NestFastifyApplication): void {
  const app = nest.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const settings = nest.get<SimulatorSettings>(SIM_SETTINGS);
  const clock = nest.get(SimClock);
  const faults = nest.get(FaultPlan);
  const rateLimits = nest.get(RateLimitService);
  const urls = nest.get(SignedUrlService);
  const views = nest.get(SessionViewsService);
  const hung = new Set<Socket>();
  const metrics = nest.get(SimulatorMetrics);

  // Clients commonly send `Content-Type: application/json` with an empty body on challenge, redeem or close;
  // KSeF accepts that, so an empty body is "no body" (fastify would refuse it as an empty JSON document).
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-length'] === '0' && !request.headers['transfer-encoding']) delete request.headers['content-type'];
  });
  // Body-parser failures (malformed JSON, unsupported media) are answered in KSeF's 400 shape (21405).
  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, request, reply) => {
    if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400 || error.statusCode === 415) {
      return writeKsefError(reply, request, KsefError.exception(21405, 'Błąd walidacji danych wejściowych.', `(body): ${error.message}`), clock.date());
    }
    if (error.statusCode === 413) return writeKsefError(reply, request, KsefError.exception(21405, 'Błąd walidacji danych wejściowych.', '(body): przekroczony rozmiar żądania'), clock.date());
    return reply.status(500).send({ title: 'Internal Server Error', status: 500 });
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Batch parts may arrive with any (or no) content type: they are raw bytes.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    // Faults apply to the KSeF API and to the token-less storage links (batch part uploads, UPO downloads).
    if (!route?.startsWith('/v2/') && !route?.startsWith('/storage/')) return;
    const endpoint = `${request.method} ${route}`;
    const fault = faults.pick(endpoint, clock.now());
    if (fault) {
      metrics.faultsInjected.inc({ type: fault.type });
      switch (fault.type) {
        case 'outage':
          return reply.status(503).type('application/json').send({ title: 'Service Unavailable', status: 503, detail: 'KSeF niedostępny (symulowana awaria).' });
        case 'error5xx': {
          const status = faults.drawStatus(fault);
          return reply.status(status).type('application/json').send({ title: 'Server Error', status, detail: 'Symulowany błąd serwera.' });
        }
        case 'rateLimit':
          return tooManyRequests(reply, request, fault.retryAfterSeconds ?? 30, 'Przekroczono limit żądań (symulowana burza 429).');
        case 'timeout':
          // Accept and never answer; the socket is destroyed at shutdown so graceful stop is not held up.
          hung.add(request.raw.socket);
          request.raw.socket.once('close', () => hung.delete(request.raw.socket));
          reply.hijack();
          return;
        default:
          pendingFault.set(request, fault);
      }
    }
    if (rateLimits.disabled) return;
    const decision = await rateLimits.check(request.method, route, contextKey(request), request.ip);
    if (!decision.allowed) {
      metrics.rateLimited.inc({ group: groupOf(request.method, route) ?? 'other' });
      return tooManyRequests(reply, request, decision.retryAfterSeconds, `Przekroczono limit liczby żądań (okno: ${decision.window}).`);
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const fault = pendingFault.get(request);
    if (!fault) return payload;
    if (fault.type === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5_000));
    if (fault.type === 'drop') request.raw.socket.destroy(); // the work is done (e.g. invoice accepted); the client never hears
    return payload;
  });

  app.addHook('onClose', async () => {
    for (const socket of hung) socket.destroy();
  });

  const sendXml = async (request: FastifyRequest, reply: FastifyReply, path: string, produce: () => Promise<string>) => {
    const { exp, sig } = request.query as { exp?: string; sig?: string };
    const check = urls.verify(path, exp, sig);
    if (check !== 'ok') return reply.status(check === 'expired' ? 410 : 403).type('application/problem+json').send({ title: check === 'expired' ? 'Gone' : 'Forbidden', status: check === 'expired' ? 410 : 403, detail: 'Link wygasł lub jest nieprawidłowy.' });
    try {
      return reply.type('application/xml').send(await produce());
    } catch (error) {
      if (error instanceof KsefError) return writeKsefError(reply, request, error, clock.date());
      throw error;
    }
  };
  app.get('/storage/upo/:session/:upo', (request, reply) => {
    const { session, upo } = request.params as { session: string; upo: string };
    return sendXml(request, reply, `upo/${session}/${upo}`, () => views.sessionUpo(session, upo));
  });
  app.get('/storage/upo-invoice/:session/:invoice', (request, reply) => {
    const { session, invoice } = request.params as { session: string; invoice: string };
    return sendXml(request, reply, `upo-invoice/${session}/${invoice}`, () => views.invoiceUpo(session, { invoiceRef: invoice }));
  });

  const batches = nest.get(BatchSessionService);
  app.put('/storage/batch/:session/:ordinal', async (request, reply) => {
    const { session, ordinal } = request.params as { session: string; ordinal: string };
    const { exp, sig } = request.query as { exp?: string; sig?: string };
    const path = `batch/${session}/${ordinal}`;
    const check = urls.verify(path, exp, sig);
    if (check !== 'ok') return reply.status(403).type('application/problem+json').send({ title: 'Forbidden', status: 403, detail: check === 'expired' ? 'Okno wysyłki części minęło.' : 'Nieprawidłowy podpis adresu.' });
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await batches.uploadPart(session, Number(ordinal), body);
    if (result.status === 201) return reply.status(201).send();
    return reply.status(result.status).type('application/problem+json').send({ title: 'Upload rejected', status: result.status, detail: result.detail });
  });

  const exporter = nest.get(InvoiceExportService);
  app.get('/storage/export/:ref/:ordinal', async (request, reply) => {
    const { ref, ordinal } = request.params as { ref: string; ordinal: string };
    const { exp, sig } = request.query as { exp?: string; sig?: string };
    const check = urls.verify(`export/${ref}/${ordinal}`, exp, sig);
    if (check !== 'ok') return reply.status(check === 'expired' ? 410 : 403).type('application/problem+json').send({ title: check === 'expired' ? 'Gone' : 'Forbidden', status: check === 'expired' ? 410 : 403, detail: 'Link wygasł lub jest nieprawidłowy.' });
    const data = await exporter.part(ref, Number(ordinal));
    if (!data) return reply.status(404).type('application/problem+json').send({ title: 'Not Found', status: 404, detail: 'Nie ma takiej części paczki.' });
    return reply.type('application/octet-stream').send(data);
  });

  const latarnia = nest.get(LatarniaService);
  registerLatarniaFeed(app, latarnia);
  if (settings.mode === 'test' || settings.adminEnabled) {
    registerAdminRoutes(app, { faults, clock, tokens: nest.get(KsefTokenService), processing: nest.get(InvoiceProcessingService), rateLimits, latarnia });
    registerLatarniaAdmin(app, latarnia);
  }
}
