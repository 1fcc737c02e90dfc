import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { LATARNIA_CATEGORIES, LATARNIA_TYPES } from '../domain/latarnia/latarnia-feed';
import { LatarniaRequestError, LatarniaService } from './latarnia.service';

const instant = z.string().datetime({ offset: true }).transform((s) => new Date(s));
const publishRequest = z.strictObject({
  eventId: z.number().int().positive().optional(),
  category: z.enum(LATARNIA_CATEGORIES),
  type: z.enum(LATARNIA_TYPES),
  title: z.string().trim().min(1).max(500),
  text: z.string().trim().min(1).max(10_000),
  start: instant,
  end: instant.optional(),
});
const endRequest = z.strictObject({ end: instant.optional(), title: z.string().trim().min(1).max(500).optional(), text: z.string().trim().min(1).max(10_000).optional() });

function refuse(reply: FastifyReply, error: unknown) {
  if (!(error instanceof LatarniaRequestError)) throw error;
  if (error.status === 400) return reply.status(400).send({ error: 'invalid request', issues: [error.message] });
  return reply.status(error.status).send({ error: error.message });
}

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.status(400).send({ error: 'invalid request', issues: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
}

/**
 * The public Latarnia feed at `/latarnia` (the real one is its own host; point a client's Latarnia base URL at
 * `{simulator}/latarnia`). No token, no rate limits, no fault injection: it is what stays up when KSeF is down.
 */
export function registerLatarniaFeed(app: FastifyInstance, latarnia: LatarniaService): void {
  app.get('/latarnia/status', async () => latarnia.status());
  app.get('/latarnia/messages', async () => latarnia.messages());
}

/** Admin API (test mode or SIM_ADMIN_ENABLED): publish, end and clear announcements. */
export function registerLatarniaAdmin(app: FastifyInstance, latarnia: LatarniaService): void {
  app.post('/admin/latarnia/messages', async (req, reply) => {
    const parsed = publishRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      return reply.status(201).send(await latarnia.publish(parsed.data));
    } catch (error) {
      return refuse(reply, error);
    }
  });
  app.post('/admin/latarnia/messages/:id/end', async (req, reply) => {
    const parsed = endRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      return reply.status(201).send(await latarnia.end((req.params as { id: string }).id, parsed.data));
    } catch (error) {
      return refuse(reply, error);
    }
  });
  app.delete('/admin/latarnia/messages', async (_req, reply) => {
    await latarnia.clear();
    return reply.status(204).send();
  });
}
