import { Injectable } from '@nestjs/common';
import { SimClock } from '../domain/clock';
import { deriveStatus, typeFitsCategory, type LatarniaMessage, type LatarniaStatus } from '../domain/latarnia/latarnia-feed';
import { LatarniaRepository, type NewLatarniaMessage } from '../infrastructure/latarnia.repository';

/** A refused admin request: `status` is the HTTP status to answer with. */
export class LatarniaRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** An announcement as the admin API asks for it; the service stamps `published` on the simulator's clock. */
export type PublishRequest = Omit<NewLatarniaMessage, 'published'>;

/**
 * The simulator's Latarnia feed: announcements published through the admin API (durable, in PostgreSQL) and,
 * when a full-outage fault asks for it, an announcement that follows the fault. Times come from the simulated clock.
 */
@Injectable()
export class LatarniaService {
  /** Fault rule id -> the failure it announced (fault rules live in memory, so does this link). */
  private readonly outages = new Map<string, { messageId: string; untilMs?: number }>();

  constructor(
    private readonly repository: LatarniaRepository,
    private readonly clock: SimClock,
  ) {}

  async status(): Promise<{ status: LatarniaStatus; messages?: LatarniaMessage[] }> {
    await this.settleOutages();
    const { status, messages } = deriveStatus(await this.repository.all(), this.clock.now());
    return messages.length ? { status, messages } : { status };
  }

  async messages(): Promise<LatarniaMessage[]> {
    await this.settleOutages();
    return this.repository.all();
  }

  async publish(request: PublishRequest): Promise<LatarniaMessage> {
    if (!typeFitsCategory(request.category, request.type)) {
      throw new LatarniaRequestError(400, `type ${request.type} does not fit category ${request.category} (MAINTENANCE takes MAINTENANCE_ANNOUNCEMENT; FAILURE and TOTAL_FAILURE take FAILURE_START or FAILURE_END)`);
    }
    if (request.end && request.end.getTime() < request.start.getTime()) throw new LatarniaRequestError(400, 'end: must not be before start');
    if (request.type === 'FAILURE_END' && !request.end) throw new LatarniaRequestError(400, 'end: required for FAILURE_END');
    if (request.eventId === undefined && request.type === 'FAILURE_END') {
      throw new LatarniaRequestError(400, 'eventId: a FAILURE_END closes an announced failure; give its eventId or use POST /admin/latarnia/messages/{id}/end');
    }
    if (request.eventId !== undefined) {
      const latest = await this.repository.latestOfEvent(request.eventId);
      if (!latest) throw new LatarniaRequestError(404, `eventId: no announcement with eventId ${request.eventId}`);
      if (latest.category !== request.category) throw new LatarniaRequestError(400, `category: event ${request.eventId} is ${latest.category}, a new version keeps its category`);
    }
    return this.repository.publish({ ...request, published: this.clock.date() });
  }

  /**
   * Ends the announcement the message `id` belongs to: a failure gets its FAILURE_END version, a maintenance window a
   * new MAINTENANCE_ANNOUNCEMENT version with the end. `end` defaults to the simulated now.
   */
  async end(id: string, options: { end?: Date; title?: string; text?: string } = {}): Promise<LatarniaMessage> {
    const message = await this.repository.byId(id);
    if (!message) throw new LatarniaRequestError(404, `no Latarnia message ${id}`);
    const latest = (await this.repository.latestOfEvent(message.eventId)) ?? message;
    if (latest.type === 'FAILURE_END') throw new LatarniaRequestError(409, `event ${latest.eventId} already ended (version ${latest.version}, end ${latest.end})`);
    const end = options.end ?? this.clock.date();
    if (end.getTime() < Date.parse(latest.start)) throw new LatarniaRequestError(400, 'end: must not be before the announcement start');
    return this.repository.publish({
      eventId: latest.eventId,
      category: latest.category,
      type: latest.category === 'MAINTENANCE' ? 'MAINTENANCE_ANNOUNCEMENT' : 'FAILURE_END',
      title: options.title ?? latest.title,
      text: options.text ?? latest.text,
      start: new Date(latest.start),
      end,
      published: this.clock.date(),
    });
  }

  async clear(): Promise<void> {
    this.outages.clear();
    await this.repository.clear();
  }

  /** A full-outage fault that asked for it: announce the failure now, planned to end with the fault. */
  async announceOutage(ruleId: string, category: 'FAILURE' | 'TOTAL_FAILURE', untilMs?: number): Promise<LatarniaMessage> {
    const start = this.clock.date();
    const message = await this.repository.publish({
      category,
      type: 'FAILURE_START',
      title: category === 'TOTAL_FAILURE' ? 'Awaria całkowita KSeF' : 'Awaria KSeF',
      text: 'Krajowy System e-Faktur jest niedostępny (symulowana awaria).',
      start,
      end: untilMs === undefined ? undefined : new Date(untilMs),
      published: start,
    });
    this.outages.set(ruleId, { messageId: message.id, untilMs });
    return message;
  }

  /** The outage fault was removed (or the plan reset): its failure ends now, or when the fault expired if earlier. */
  async outageRemoved(ruleId: string): Promise<void> {
    const link = this.outages.get(ruleId);
    if (!link) return;
    this.outages.delete(ruleId);
    await this.endQuietly(link.messageId, Math.min(this.clock.now(), link.untilMs ?? Infinity));
  }

  /** Outage faults that expired get their FAILURE_END when the feed is next read. */
  private async settleOutages(): Promise<void> {
    const now = this.clock.now();
    for (const [ruleId, link] of this.outages) {
      if (link.untilMs === undefined || link.untilMs > now) continue;
      this.outages.delete(ruleId); // before awaiting, so concurrent readers do not end it twice
      await this.endQuietly(link.messageId, link.untilMs);
    }
  }

  private async endQuietly(messageId: string, endMs: number): Promise<void> {
    try {
      await this.end(messageId, { end: new Date(endMs) });
    } catch (error) {
      // Cleared or already ended through the admin API in the meantime: nothing left to end.
      if (!(error instanceof LatarniaRequestError)) throw error;
    }
  }
}
