import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { SimClock } from '../domain/clock';
import { FaultPlan, type FaultType } from '../domain/faults/fault-plan';
import { KsefTokenService, TOKEN_PERMISSIONS } from '../tokens/ksef-token.service';
import { InvoiceProcessingService } from '../sessions/invoice-processing.service';
import { RateLimitService } from '../limits/rate-limit.service';
import { LatarniaService } from '../latarnia/latarnia.service';

const faultRequest = z.object({
  type: z.enum(['error5xx', 'slow', 'timeout', 'drop', 'rateLimit', 'outage', 'stuckProcessing']),
  endpoint: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  statuses: z.array(z.number().int().min(500).max(599)).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
  durationMs: z.number().int().positive().optional(),
  /** Outage only: also publish a Latarnia announcement of this category (ended with the fault). */
  announce: z.enum(['FAILURE', 'TOTAL_FAILURE']).optional(),
}).refine((f) => !f.announce || f.type === 'outage', { message: 'only an outage can be announced', path: ['announce'] });
const tokenRequest = z.object({
  contextIdentifier: z.object({ type: z.enum(['Nip', 'InternalId', 'NipVatUe', 'PeppolId']), value: z.string().min(1) }),
  permissions: z.array(z.enum(TOKEN_PERMISSIONS)).default(['InvoiceWrite', 'InvoiceRead', 'CredentialsManage', 'CredentialsRead']),
  description: z.string().min(5).max(256).default('simulator seed token'),
});

export interface AdminDeps {
  faults: FaultPlan;
  clock: SimClock;
  tokens: KsefTokenService;
  processing: InvoiceProcessingService;
  rateLimits: RateLimitService;
  latarnia: LatarniaService;
}

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.status(400).send({ error: 'invalid request', issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
}

/**
 * The simulator's own admin API (not KSeF): fault injection, clock control, seeding KSeF tokens directly.
 * Registered only in test mode or with SIM_ADMIN_ENABLED=true.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/admin/faults', async () => ({ seed: deps.faults.currentSeed, faults: deps.faults.list() }));
  app.post('/admin/faults', async (req, reply) => {
    const parsed = faultRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const { count, durationMs, ...rest } = parsed.data;
    const rule = deps.faults.add({ ...rest, type: rest.type as FaultType, remaining: count, untilMs: durationMs ? deps.clock.now() + durationMs : undefined });
    if (rule.announce) await deps.latarnia.announceOutage(rule.id, rule.announce, rule.untilMs);
    return reply.status(201).send(rule);
  });
  app.delete('/admin/faults/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const removed = deps.faults.remove(id);
    await deps.latarnia.outageRemoved(id);
    return reply.status(removed ? 204 : 404).send();
  });
  app.post('/admin/faults/reset', async (req, reply) => {
    const seed = z.object({ seed: z.number().int().min(0).optional() }).safeParse(req.body ?? {});
    if (!seed.success) return invalid(reply, seed.error);
    const announced = deps.faults.list().filter((r) => r.announce);
    deps.faults.reset(seed.data.seed);
    for (const rule of announced) await deps.latarnia.outageRemoved(rule.id);
    return reply.status(204).send();
  });
  app.post('/admin/clock', async (req, reply) => {
    const parsed = z.object({ scale: z.number().positive().optional(), advanceMs: z.number().int().min(0).optional() }).safeParse(req.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    if (parsed.data.scale) deps.clock.setScale(parsed.data.scale);
    if (parsed.data.advanceMs) deps.clock.advance(parsed.data.advanceMs);
    return { now: deps.clock.date().toISOString(), scale: deps.clock.currentScale };
  });
  app.post('/admin/ksef-tokens', async (req, reply) => {
    const parsed = tokenRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const { contextIdentifier: ctx, permissions, description } = parsed.data;
    return reply.status(201).send(await deps.tokens.issue(ctx.type, ctx.value, permissions, description, { type: ctx.type, value: ctx.value }));
  });
  app.post('/admin/rate-limits/reset-counters', async (_req, reply) => {
    deps.rateLimits.resetCounters();
    return reply.status(204).send();
  });
  app.get('/admin/state', async () => ({ now: deps.clock.date().toISOString(), clockScale: deps.clock.currentScale, processingBacklog: deps.processing.backlog }));
}
