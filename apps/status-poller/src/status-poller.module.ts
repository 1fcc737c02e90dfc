import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { Counter, Gauge, getOrCreateMetric, type Logger, type Registry } from '@ksef-bridge/observability';
import { Inbox, inboxHandler, OutboxWriter } from '@ksef-bridge/outbox';
import { ConsumerRegistry, LOGGER, METRICS_REGISTRY, PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { registerKsefCallMetrics } from '@ksef-bridge/ksef-client';
import { KsefClients } from './ksef/ksef-clients';
import { SenderTokenClient } from './ksef/sender-token.client';
import { INVOICE_SUBMITTED_GROUP, InvoiceSubmittedHandler } from './poll/invoice-submitted.handler';
import { OutcomeWriter } from './poll/outcome-writer';
import { PollPlanRepository } from './poll/poll-plan.repository';
import { PollProcessor, type PollMetrics } from './poll/poll-processor';
import { PollScheduler } from './poll/poll-scheduler';
import { SessionUpoReader } from './poll/session-upo.reader';
import { StatusLookup, type LookupMetrics } from './poll/status-lookup';
import { STATUS_POLLER_SETTINGS, type StatusPollerSettings } from './status-poller.settings';

const UPO_VALIDATOR = Symbol('UPO_VALIDATOR');

function pollerMetrics(registry: Registry): PollMetrics & LookupMetrics {
  const polls = getOrCreateMetric(registry, 'ksef_poller_polls_total', (registers) => new Counter({ name: 'ksef_poller_polls_total', help: 'Polls of one invoice by outcome (pending, not-found, accepted, duplicate, rejected, cancelled, rate-limited, failed, upo, upo-missing)', labelNames: ['outcome'], registers }));
  const outcomes = getOrCreateMetric(registry, 'ksef_poller_outcomes_total', (registers) => new Counter({ name: 'ksef_poller_outcomes_total', help: 'Invoices brought to an outcome (accepted, duplicate, rejected, escalated, upo-late, upo-delivered-late)', labelNames: ['outcome'], registers }));
  const calls = getOrCreateMetric(registry, 'ksef_poller_ksef_calls_total', (registers) => new Counter({ name: 'ksef_poller_ksef_calls_total', help: 'KSeF calls made by the poller (list-page, invoice-status, session-status, upo, session-upo-page)', labelNames: ['operation'], registers }));
  const saved = getOrCreateMetric(registry, 'ksef_poller_ksef_calls_saved_total', (registers) => new Counter({ name: 'ksef_poller_ksef_calls_saved_total', help: 'Per-invoice status calls made unnecessary by session listings', registers }));
  return {
    poll: (outcome) => polls.inc({ outcome }),
    outcome: (outcome) => outcomes.inc({ outcome }),
    call: (operation) => calls.inc({ operation }),
    saved: (n) => saved.inc(n),
  };
}

/** Gauges read from the poll plan at scrape time: the backlog, its oldest age, and accepted invoices without a UPO. */
function registerBacklogGauges(registry: Registry, dataSource: DataSource, plans: PollPlanRepository): void {
  const backlog = () => plans.backlog(dataSource.manager).catch(() => undefined);
  const gauge = (name: string, help: string, pick: (b: Awaited<ReturnType<PollPlanRepository['backlog']>>) => number) =>
    getOrCreateMetric(registry, name, (registers) => new Gauge({ name, help, registers, async collect() { const b = await backlog(); if (b) this.set(pick(b)); } }));
  gauge('ksef_poller_backlog_invoices', 'Submitted invoices waiting for a KSeF verdict', (b) => b.waiting);
  gauge('ksef_poller_oldest_backlog_age_seconds', 'Age (since submission) of the oldest invoice waiting for a KSeF verdict', (b) => b.oldestAgeSeconds);
  gauge('ksef_poller_upo_waiting_invoices', 'Accepted invoices whose UPO is being fetched (not yet announced)', (b) => b.upoWaiting);
  gauge('ksef_poller_accepted_missing_upo_invoices', 'Accepted invoices announced without their UPO (upoPending): a regulatory gap until it arrives', (b) => b.missingUpo);
}

/** Registers the consumer once its topics exist, runs the scheduler while the app is up, stops it before the platform. */
@Injectable()
class StatusPollerLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(STATUS_POLLER_SETTINGS) private readonly settings: StatusPollerSettings,
    @Inject(InvoiceSubmittedHandler) private readonly handler: InvoiceSubmittedHandler,
    @Inject(PollScheduler) private readonly scheduler: PollScheduler,
    @Inject(PollPlanRepository) private readonly plans: PollPlanRepository,
    @Inject(KsefClients) private readonly clients: KsefClients,
    @Inject(UPO_VALIDATOR) private readonly validator: KsefXmlValidator,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topics, schema } = this.settings;
    registerBacklogGauges(this.metrics, this.dataSource, this.plans);
    this.clients.onCall = registerKsefCallMetrics(this.metrics);
    await this.admin.ensureTopics(topicSpecsOf(Object.values(topics)));
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${INVOICE_SUBMITTED_GROUP}`,
      topics: [topics.invoiceSubmitted],
      handler: inboxHandler(this.dataSource, new Inbox(schema, INVOICE_SUBMITTED_GROUP), (manager, message) => this.handler.handle(manager, message)),
    });
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  /** Runs before the platform's shutdown hooks: the last outcomes reach the outbox before the relay drains. */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
    await this.clients.closeAll();
    this.validator.close();
  }
}

@Module({})
class StatusPollerFeaturesModule {}

/**
 * The status-poller: invoice.submitted → a poll plan row (inbox transaction), and a scheduler that follows each row
 * to a KSeF verdict and UPO, listing sessions rather than asking per invoice, with outcomes written to the outbox.
 */
export function statusPollerAppModule(platform: PlatformOptions, settings: StatusPollerSettings): DynamicModule {
  const plans = new PollPlanRepository(settings.schema);
  const clients = new KsefClients(settings.ksef, new SenderTokenClient(settings.sender.url, settings.sender.token, settings.sender.timeoutMs));
  return {
    module: StatusPollerFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    providers: [
      { provide: STATUS_POLLER_SETTINGS, useValue: settings },
      { provide: PollPlanRepository, useValue: plans },
      { provide: KsefClients, useValue: clients },
      { provide: UPO_VALIDATOR, useFactory: () => createKsefXmlValidator() },
      {
        provide: InvoiceSubmittedHandler,
        inject: [LOGGER],
        useFactory: (logger: Logger) => new InvoiceSubmittedHandler(plans, settings.policy.backoff.delaysMs[0], logger.child({ component: 'invoice-submitted' })),
      },
      {
        provide: PollScheduler,
        inject: [DataSource, OutboxWriter, UPO_VALIDATOR, LOGGER, METRICS_REGISTRY],
        useFactory: (ds: DataSource, outbox: OutboxWriter, validator: KsefXmlValidator, logger: Logger, registry: Registry) => {
          const log = logger.child({ component: 'status-poller' });
          const metrics = pollerMetrics(registry);
          const lookup = new StatusLookup(clients, validator, metrics, log, settings.scheduler.listMinRows);
          const writer = new OutcomeWriter(ds, plans, outbox, settings.topics);
          // 0 switches the session UPO off (per-invoice UPOs only).
          const minRows = settings.scheduler.sessionUpoMinRows ?? 10;
          const openRowsInSession = (nip: string, session: string) => plans.openRowsInSession(ds.manager, nip, session);
          const sessionUpo = minRows > 0 ? { reader: new SessionUpoReader(clients, validator, metrics, log), minRows, openRowsInSession } : undefined;
          const processor = new PollProcessor(clients, lookup, writer, settings.policy, metrics, log, sessionUpo);
          return new PollScheduler(ds, plans, processor, settings.scheduler, log);
        },
      },
      StatusPollerLifecycle,
    ],
  };
}
