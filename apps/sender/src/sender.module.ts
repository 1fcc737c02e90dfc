import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { registerKsefCallMetrics } from '@ksef-bridge/ksef-client';
import { Counter, Gauge, getOrCreateMetric, type Logger, type Registry } from '@ksef-bridge/observability';
import { Inbox, inboxHandler, OutboxWriter } from '@ksef-bridge/outbox';
import { ConsumerRegistry, LOGGER, METRICS_REGISTRY, PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { AccessTokenController } from './access-tokens/access-token.controller';
import { ACCESS_TOKEN_METRICS, accessTokenMetrics } from './access-tokens/access-token.metrics';
import { InternalApiErrorFilter } from './access-tokens/internal-api-error.filter';
import { InternalTokenGuard } from './access-tokens/internal-token.guard';
import { LatarniaFeed } from './availability/announced-failures';
import { availabilityFeature } from './availability/availability.wiring';
import { IntakeDocumentClient } from './claim-check/intake-document.client';
import { KsefContextRepository } from './contexts/ksef-context.repository';
import { TokenCipher } from './contexts/token-cipher';
import { CircuitBreaker } from './domain/circuit-breaker';
import { KodIIController } from './offline-certificates/kod-ii.controller';
import { offlineCertificateProviders } from './offline-certificates/offline-certificates.providers';
import { SenderPanelApiController } from './panel-api/panel-api.controller';
import { BatchSendProcessor } from './send-invoice/batch-send.processor';
import { BatchSessionProbe } from './send-invoice/batch-session-probe';
import { INVOICE_VALIDATED_GROUP, InvoiceValidatedHandler } from './send-invoice/invoice-validated.handler';
import { KsefSessions } from './send-invoice/ksef-sessions';
import { SendInvoiceProcessor, type SenderMetrics } from './send-invoice/send-invoice.processor';
import { SendJobRepository } from './send-invoice/send-job.repository';
import { SendScheduler } from './send-invoice/send-scheduler';
import { registerOfflineDeadlineGauges } from './send-invoice/offline-metrics';
import { DEFAULT_WARN_BEFORE_MS } from '@ksef-bridge/offline-mode';
import { SENDER_SETTINGS, type SenderSettings } from './sender.settings';

function senderMetrics(registry: Registry): SenderMetrics {
  const attempts = getOrCreateMetric(registry, 'ksef_sender_attempts_total', (registers) => new Counter({ name: 'ksef_sender_attempts_total', help: 'Send attempts by outcome (submitted, reconciled, not-found, ambiguous, transport, rate-limited, auth, rejected, error)', labelNames: ['outcome'], registers }));
  const escalated = getOrCreateMetric(registry, 'ksef_sender_escalated_total', (registers) => new Counter({ name: 'ksef_sender_escalated_total', help: 'Invoices the sender ESCALATED (a person must look), by code', labelNames: ['code'], registers }));
  const submitted = getOrCreateMetric(registry, 'ksef_sender_invoices_submitted_total', (registers) => new Counter({ name: 'ksef_sender_invoices_submitted_total', help: 'Invoices that reached KSeF (submitted or reconciled), by mode (online, batch)', labelNames: ['mode'], registers }));
  const batchSessions = getOrCreateMetric(registry, 'ksef_sender_batch_sessions_total', (registers) => new Counter({ name: 'ksef_sender_batch_sessions_total', help: 'Batch sessions by outcome (closed, reconciled, not-processed, unresolved, failed)', labelNames: ['outcome'], registers }));
  return {
    attempt: (outcome) => attempts.inc({ outcome }),
    escalated: (code) => escalated.inc({ code }),
    submittedInvoices: (mode, count) => submitted.inc({ mode }, count),
    batchSession: (outcome) => batchSessions.inc({ outcome }),
  };
}

/** Gauges read from `send_jobs` at scrape time: how many invoices wait for KSeF and for how long. */
function registerBacklogGauges(registry: Registry, dataSource: DataSource, jobs: SendJobRepository): void {
  const backlog = () => jobs.backlog(dataSource.manager).catch(() => undefined);
  getOrCreateMetric(registry, 'ksef_sender_backlog_invoices', (registers) => new Gauge({ name: 'ksef_sender_backlog_invoices', help: 'Invoices waiting to reach KSeF (QUEUED or SENDING)', registers, async collect() { const b = await backlog(); if (b) this.set(b.waiting); } }));
  getOrCreateMetric(registry, 'ksef_sender_oldest_backlog_age_seconds', (registers) => new Gauge({ name: 'ksef_sender_oldest_backlog_age_seconds', help: 'Age of the oldest invoice waiting to reach KSeF', registers, async collect() { const b = await backlog(); if (b) this.set(b.oldestAgeSeconds); } }));
}

/** `ksef_sender_circuit_state`: the KSeF circuit breaker read at scrape time (0 closed, 1 half-open, 2 open). */
function registerCircuitGauge(registry: Registry, breaker: CircuitBreaker): void {
  const value = { closed: 0, 'half-open': 1, open: 2 } as const;
  getOrCreateMetric(registry, 'ksef_sender_circuit_state', (registers) => new Gauge({ name: 'ksef_sender_circuit_state', help: 'KSeF circuit breaker: 0 closed, 1 half-open (a probe may go), 2 open (sends paused)', registers, collect() { this.set(value[breaker.state]); } }));
}

/** Registers the consumer once its topics exist, runs the scheduler while the app is up, stops it before the platform. */
@Injectable()
class SenderLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(SENDER_SETTINGS) private readonly settings: SenderSettings,
    @Inject(InvoiceValidatedHandler) private readonly handler: InvoiceValidatedHandler,
    @Inject(SendScheduler) private readonly scheduler: SendScheduler,
    @Inject(KsefSessions) private readonly sessions: KsefSessions,
    @Inject(SendJobRepository) private readonly jobs: SendJobRepository,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topics, schema } = this.settings;
    registerBacklogGauges(this.metrics, this.dataSource, this.jobs);
    registerOfflineDeadlineGauges(this.metrics, this.dataSource, this.jobs, this.settings.offlineWarnBeforeMs ?? DEFAULT_WARN_BEFORE_MS);
    await this.admin.ensureTopics(topicSpecsOf(Object.values(topics)));
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${INVOICE_VALIDATED_GROUP}`,
      topics: [topics.invoiceValidated],
      handler: inboxHandler(this.dataSource, new Inbox(schema, INVOICE_VALIDATED_GROUP), (manager, message) => this.handler.handle(manager, message)),
    });
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  /** Runs before the platform's shutdown hooks: the last outcomes reach the outbox before the relay drains. */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
    await this.sessions.closeAll();
  }
}

@Module({})
class SenderFeaturesModule {}

/**
 * The sender: invoice.validated → send jobs (inbox transaction), and a scheduler that sends them to KSeF through one
 * reused interactive session per context, reconciling ambiguous sends by hash, with outcomes written to the outbox.
 */
export function senderAppModule(platform: PlatformOptions, settings: SenderSettings): DynamicModule {
  const cipher = new TokenCipher(settings.masterKey, settings.previousMasterKeys);
  const breaker = new CircuitBreaker(settings.breaker.failures, settings.breaker.openMs);
  const availability = availabilityFeature(settings, breaker);
  return {
    module: SenderFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    controllers: [AccessTokenController, SenderPanelApiController, KodIIController, ...availability.controllers],
    providers: [
      { provide: SENDER_SETTINGS, useValue: settings },
      { provide: CircuitBreaker, useValue: breaker },
      { provide: ACCESS_TOKEN_METRICS, inject: [METRICS_REGISTRY], useFactory: (registry: Registry) => accessTokenMetrics(registry) },
      InternalTokenGuard,
      InternalApiErrorFilter,
      {
        provide: SendJobRepository,
        inject: [LatarniaFeed],
        // Offline deadlines follow KSeF's announced failures when the feed is configured (KSEF_LATARNIA_URL).
        useFactory: (feed: LatarniaFeed) => {
          const jobs = new SendJobRepository(settings.schema);
          if (feed.url) jobs.offline.useAnnouncedFailures(() => feed.failureSnapshot());
          return jobs;
        },
      },
      { provide: KsefContextRepository, useValue: new KsefContextRepository(settings.schema) },
      {
        provide: InvoiceValidatedHandler,
        inject: [SendJobRepository, LOGGER],
        useFactory: (jobs: SendJobRepository, logger: Logger) => new InvoiceValidatedHandler(jobs, logger.child({ component: 'invoice-validated' }), `"${settings.schema}".ksef_contexts`),
      },
      {
        provide: KsefSessions,
        inject: [LOGGER, METRICS_REGISTRY],
        useFactory: (logger: Logger, registry: Registry) => {
          registerCircuitGauge(registry, breaker);
          const onCall = registerKsefCallMetrics(registry);
          return new KsefSessions({ ...settings.ksef, sessionMaxInvoices: settings.sessionMaxInvoices, sessionIdleCloseMs: settings.sessionIdleCloseMs, onCall }, cipher, logger.child({ component: 'ksef-sessions' }));
        },
      },
      {
        provide: SendScheduler,
        inject: [DataSource, KsefContextRepository, SendJobRepository, OutboxWriter, KsefSessions, LOGGER, METRICS_REGISTRY],
        useFactory: (ds: DataSource, contexts: KsefContextRepository, jobs: SendJobRepository, outbox: OutboxWriter, sessions: KsefSessions, logger: Logger, registry: Registry) => {
          const documents = new IntakeDocumentClient(settings.intake.url, settings.intake.token, settings.intake.timeoutMs);
          const log = logger.child({ component: 'sender' });
          const metrics = senderMetrics(registry);
          const probe = new BatchSessionProbe(log);
          const processor = new SendInvoiceProcessor(ds, jobs, outbox, documents, sessions, breaker, settings.topics, settings.retry, log, metrics, probe);
          const batch = new BatchSendProcessor(ds, jobs, outbox, documents, sessions, breaker, processor, probe, settings.topics, settings.scheduler.leaseMs, log, metrics);
          return new SendScheduler(ds, contexts, jobs, processor, breaker, sessions, settings.scheduler, log, { processor: batch, settings: settings.batch, maxAttempts: settings.retry.maxAttempts });
        },
      },
      SenderLifecycle,
      ...offlineCertificateProviders(settings.schema, cipher),
      ...availability.providers,
    ],
  };
}
