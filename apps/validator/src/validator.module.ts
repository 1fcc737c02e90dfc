import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { createKsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { Inbox, OutboxWriter } from '@ksef-bridge/outbox';
import type { Registry } from '@ksef-bridge/observability';
import { ConsumerRegistry, METRICS_REGISTRY, PlatformModule, type PlatformOptions } from '@ksef-bridge/service-kit';
import { IntakeDocumentClient } from './claim-check/intake-document.client';
import { invoiceReceivedHandler, VALIDATOR_GROUP } from './validate-invoice/invoice-received.handler';
import { verdictCounter } from './validator.metrics';
import { VALIDATOR_SETTINGS, type ValidatorSettings } from './validator.settings';

/** Compiles the schemas, makes sure the topics exist and registers the consumer before the platform starts it. */
@Injectable()
class ValidatorConsumers implements OnModuleInit, OnApplicationShutdown {
  private closeXml?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    private readonly outbox: OutboxWriter,
    @Inject(VALIDATOR_SETTINGS) private readonly settings: ValidatorSettings,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topics, schema } = this.settings;
    // Broker auto-creation is off: the topics we read and write must exist before consuming.
    await this.admin.ensureTopics(topicSpecsOf(Object.values(topics)));
    const xml = await createKsefXmlValidator();
    this.closeXml = () => xml.close();
    const verdicts = verdictCounter(this.metrics);
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${VALIDATOR_GROUP}`,
      topics: [topics.invoiceReceived],
      // Each message may hold a 3 MB document in memory while its batch is validated.
      maxBatchSize: 50,
      handler: invoiceReceivedHandler({
        dataSource: this.dataSource,
        inbox: new Inbox(schema, VALIDATOR_GROUP),
        outbox: this.outbox,
        documents: new IntakeDocumentClient(this.settings.intakeUrl, this.settings.internalApiToken, this.settings.claimCheckTimeoutMs),
        xml,
        topics,
        onVerdict: (verdict, stage) => verdicts.inc({ verdict, stage }),
      }),
    });
  }

  onApplicationShutdown(): void {
    this.closeXml?.();
  }
}

@Module({})
class ValidatorFeaturesModule {}

/** The validator: invoice.received → claim-check read → XSD + business rules → invoice.validated / invoice.invalid. */
export function validatorAppModule(platform: PlatformOptions, settings: ValidatorSettings): DynamicModule {
  return {
    module: ValidatorFeaturesModule,
    imports: [PlatformModule.forRoot(platform)],
    providers: [{ provide: VALIDATOR_SETTINGS, useValue: settings }, ValidatorConsumers],
  };
}
