import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KSEF_AVAILABILITY_STATES, TOPICS, topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { Gauge, getOrCreateMetric, type Logger, type Registry } from '@ksef-bridge/observability';
import { OutboxWriter } from '@ksef-bridge/outbox';
import { LOGGER, METRICS_REGISTRY } from '@ksef-bridge/service-kit';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import type { SenderSettings } from '../sender.settings';
import { LatarniaFeed } from './announced-failures';
import type { AvailabilityTopics } from './availability-event';
import { AvailabilityController } from './availability.controller';
import { AvailabilityMonitor } from './availability-monitor';
import { AvailabilityRepository } from './availability.repository';
import { DEFAULT_AVAILABILITY_SETTINGS } from './availability.settings';

const AVAILABILITY_TOPICS = Symbol('AVAILABILITY_TOPICS');

/** `ksef_availability_state{endpoint}`: 0 AVAILABLE, 1 DEGRADED, 2 UNAVAILABLE (absent before the first observation). */
function registerAvailabilityGauge(registry: Registry, monitor: AvailabilityMonitor): void {
  getOrCreateMetric(registry, 'ksef_availability_state', (registers) => new Gauge({
    name: 'ksef_availability_state',
    help: 'KSeF availability as the sender records it: 0 AVAILABLE, 1 DEGRADED, 2 UNAVAILABLE',
    labelNames: ['endpoint'],
    registers,
    collect() {
      if (monitor.current) this.set({ endpoint: monitor.endpoint }, KSEF_AVAILABILITY_STATES.indexOf(monitor.current));
    },
  }));
}

const LATARNIA_STATUS_VALUES = { UNKNOWN: -1, AVAILABLE: 0, MAINTENANCE: 1, FAILURE: 2, TOTAL_FAILURE: 3 } as const;

/** `ksef_latarnia_status{endpoint}`: what KSeF announces; -1 UNKNOWN (unreadable), 0 AVAILABLE, 1 MAINTENANCE, 2 FAILURE, 3 TOTAL_FAILURE. */
function registerLatarniaGauge(registry: Registry, monitor: AvailabilityMonitor): void {
  getOrCreateMetric(registry, 'ksef_latarnia_status', (registers) => new Gauge({
    name: 'ksef_latarnia_status',
    help: "KSeF's announced status (Latarnia) as the sender records it: -1 UNKNOWN (feed unreadable), 0 AVAILABLE, 1 MAINTENANCE, 2 FAILURE, 3 TOTAL_FAILURE",
    labelNames: ['endpoint'],
    registers,
    collect() {
      if (monitor.currentAnnounced) this.set({ endpoint: monitor.endpoint }, LATARNIA_STATUS_VALUES[monitor.currentAnnounced.status]);
    },
  }));
}

/** Ensures the availability topics, registers the gauge, runs the monitor while the app is up. */
@Injectable()
class AvailabilityLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly admin: TopicAdmin,
    @Inject(AvailabilityMonitor) private readonly monitor: AvailabilityMonitor,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(AVAILABILITY_TOPICS) private readonly topics: AvailabilityTopics,
  ) {}

  onModuleInit(): void {
    registerAvailabilityGauge(this.metrics, this.monitor);
    if (this.monitor.latarnia) registerLatarniaGauge(this.metrics, this.monitor);
  }

  /**
   * After every onModuleInit: kafkajs admins creating topics at the same moment (the sender's own lifecycle creates
   * its topics in onModuleInit) trip over each other's metadata ("does not host this topic-partition").
   */
  async onApplicationBootstrap(): Promise<void> {
    const specs = topicSpecsOf([this.topics.state, this.topics.announcement]);
    await this.admin.ensureTopics(specs).catch(() => new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => this.admin.ensureTopics(specs)));
    this.monitor.start();
  }

  /** Before the platform's shutdown hooks: a last transition reaches the outbox before the relay drains. */
  async onModuleDestroy(): Promise<void> {
    await this.monitor.stop();
  }
}

/** The sender's KSeF availability slice: its providers and controller, for senderAppModule. */
export function availabilityFeature(settings: SenderSettings, breaker: CircuitBreaker): { providers: Provider[]; controllers: Array<new (...args: never[]) => unknown> } {
  const availability = settings.availability ?? DEFAULT_AVAILABILITY_SETTINGS;
  const topics: AvailabilityTopics = { state: settings.availabilityTopic ?? TOPICS.ksefAvailabilityChanged, announcement: settings.availabilityAnnouncementTopic ?? TOPICS.ksefAvailabilityAnnouncementChanged };
  // An unreadable feed turns a known announcement into UNKNOWN after the outage-confirmation window, not at one lost read.
  const latarnia = availability.latarniaUrl ? new LatarniaFeed(availability.latarniaUrl, availability.probeTimeoutMs, availability.confirmMs) : undefined;
  return {
    controllers: [AvailabilityController],
    providers: [
      { provide: AVAILABILITY_TOPICS, useValue: topics },
      { provide: AvailabilityRepository, useValue: new AvailabilityRepository(settings.schema) },
      // Injectable by the rest of the sender (announcedFailures() for offline deadlines); without a feed it knows nothing.
      { provide: LatarniaFeed, useValue: latarnia ?? new LatarniaFeed('', 0, 0, async () => ({ ok: false, at: Date.now(), detail: 'KSEF_LATARNIA_URL=off' })) },
      {
        provide: AvailabilityMonitor,
        inject: [DataSource, AvailabilityRepository, OutboxWriter, LOGGER],
        useFactory: (ds: DataSource, repository: AvailabilityRepository, outbox: OutboxWriter, logger: Logger) =>
          new AvailabilityMonitor(ds, repository, outbox, breaker, availability, settings.ksef.baseUrl, topics, logger.child({ component: 'ksef-availability' }), latarnia),
      },
      AvailabilityLifecycle,
    ],
  };
}
