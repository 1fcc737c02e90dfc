import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { KsefAvailabilityState } from '@ksef-bridge/contracts';
import type { Logger } from '@ksef-bridge/observability';
import type { OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import type { AnnouncedState, LatarniaFeed } from './announced-failures';
import type { AvailabilityTopics } from './availability-event';
import { AvailabilityTracker } from './availability-tracker';
import { announcedKey, type AnnouncedAvailability, type AvailabilityRepository } from './availability.repository';
import type { AvailabilitySettings } from './availability.settings';
import { probeKsef } from './ksef-health-probe';

/**
 * Feeds the tracker with the breaker's state (every tick) and a health probe of KSeF (every `probeIntervalMs`), hands
 * the probe's results to the breaker (a half-open send waits for one that found KSeF answering), and records each
 * change of the derived state (`ksef-availability.changed`) or of KSeF's announcement alone
 * (`ksef-availability.announcement-changed`) as a history row plus its event in one transaction.
 * Nothing is recorded before the first signal (a probe result or a breaker opening): a state needs evidence.
 */
export class AvailabilityMonitor {
  private readonly tracker: AvailabilityTracker;
  private readonly recordedBy = `${hostname()}:${process.pid}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private lastLatarniaAt = Number.NEGATIVE_INFINITY;
  private observed = false;
  private stopped = true;
  /** The recorded state as last read or written (for the gauge); undefined before any. */
  current: KsefAvailabilityState | undefined;
  /** The recorded announcement as last read or written (for the Latarnia gauge); undefined before any or without the feed. */
  currentAnnounced: AnnouncedAvailability | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AvailabilityRepository,
    private readonly outbox: OutboxWriter,
    private readonly breaker: CircuitBreaker,
    private readonly settings: AvailabilitySettings,
    readonly endpoint: string,
    private readonly topics: AvailabilityTopics,
    private readonly logger: Logger,
    /** KSeF's announced-failure feed; undefined: not read (events then carry no `announced`). */
    readonly latarnia?: LatarniaFeed,
  ) {
    this.tracker = new AvailabilityTracker(settings);
  }

  start(): void {
    // The breaker's half-open probe waits for this monitor's probe to find KSeF answering (no session opened into a
    // dead KSeF); three missed probe rounds and the breaker falls back to its timed half-open.
    const { probeIntervalMs, probeTimeoutMs } = this.settings;
    if (probeIntervalMs > 0) this.breaker.gateOnHealthProbe(3 * (probeIntervalMs + probeTimeoutMs) + this.settings.tickMs);
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round: probe when due, read the breaker, derive, record a change. Exposed for tests. */
  async tick(): Promise<void> {
    const { probeIntervalMs, probeTimeoutMs } = this.settings;
    if (probeIntervalMs > 0 && Date.now() - this.lastProbeAt >= probeIntervalMs) {
      const startedAt = Date.now();
      this.lastProbeAt = startedAt;
      const probe = await probeKsef(this.endpoint, probeTimeoutMs);
      this.breaker.healthProbe(probe.ok, startedAt);
      if (probe.ok) this.tracker.success(probe.at);
      else this.tracker.failure(probe.at, 'HEALTH_PROBE_FAILED', probe.detail);
      this.observed = true;
    }
    // Latarnia with the probe (every 15 s when the probe is off): a public feed on KSeF's own host, not ours to poll hard.
    if (this.latarnia && Date.now() - this.lastLatarniaAt >= (probeIntervalMs > 0 ? probeIntervalMs : 15_000)) {
      this.lastLatarniaAt = Date.now();
      await this.latarnia.refresh();
    }
    const announced = this.latarnia ? toAnnounced(this.latarnia.state()) : undefined;
    const openedAt = this.breaker.openedSince;
    if (openedAt !== undefined) this.observed = true;
    this.tracker.breaker(openedAt, Date.now(), this.breaker.consecutiveFailures);
    if (!this.observed) return;

    const recorded = await this.repository.current(this.dataSource.manager, this.endpoint);
    this.current = recorded?.state;
    this.currentAnnounced = recorded?.announced ?? undefined;
    const derived = this.tracker.derive(recorded?.state, Date.now());
    const sameState = derived.state === recorded?.state;
    // A new announcement (or the feed turning unreadable) is a transition of its own, even when our observation holds.
    if (sameState && (!announced || announcedKey(announced) === announcedKey(recorded?.announced))) return;
    const from = recorded?.state ?? null;
    const since = sameState ? new Date() : new Date(derived.since);
    const detail = sameState && announced ? announcedDetail(announced, this.latarnia?.state().detail ?? '') : derived.detail;
    const written = await withTransaction(this.dataSource, (manager) =>
      this.repository.transition(manager, this.outbox, this.topics, { endpoint: this.endpoint, from, to: derived.state, since, cause: derived.cause, detail, recordedBy: this.recordedBy, ...(announced ? { announced, fromAnnounced: recorded?.announced ?? null } : {}) }),
    );
    if (!written) return;
    this.current = written.to;
    this.currentAnnounced = written.announced;
    const log = written.to === 'AVAILABLE' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger);
    log({ endpoint: this.endpoint, from, to: written.to, since: written.since, cause: written.cause, detail: written.detail, announced: written.announced }, 'KSeF availability changed');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.logger.warn({ err, endpoint: this.endpoint }, 'availability round failed; next round retries'))
        .finally(() => this.schedule(this.settings.tickMs));
    }, delayMs);
  }
}

/** The feed's state in the event's terms. */
function toAnnounced(state: AnnouncedState): AnnouncedAvailability {
  const a = state.announcement;
  return { status: state.status, ...(a ? { messageId: a.messageId, eventId: a.eventId, title: a.title, start: a.start, ...(a.end ? { end: a.end } : {}) } : {}) };
}

function announcedDetail(a: AnnouncedAvailability, unreadable: string): string {
  if (a.status === 'UNKNOWN') return unreadable || 'Latarnia unreadable';
  if (!a.title) return `Latarnia: ${a.status}`;
  return `Latarnia: ${a.status} "${a.title}" from ${a.start}${a.end ? ` until ${a.end}` : ''}`;
}
