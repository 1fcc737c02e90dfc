import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { Inbox, inboxHandler } from '@ksef-bridge/outbox';
import { ConsumerRegistry } from '@ksef-bridge/service-kit';
import { INTAKE_SETTINGS, type IntakeSettings } from './intake.settings';
import { SendOutcomeHandler, SEND_OUTCOME_GROUP } from './record-sending/send-outcome.handler';
import { ValidationOutcomeHandler, VALIDATION_OUTCOME_GROUP } from './record-validation/validation-outcome.handler';
import { ERP_DOOR_GROUP, ErpInvoiceSubmittedHandler } from './submit-invoice/erp-invoice-submitted.handler';

/** Registers intake's consumers (each with its own inbox) once the topics they read exist. */
@Injectable()
export class IntakeConsumers implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConsumerRegistry,
    private readonly admin: TopicAdmin,
    @Inject(INTAKE_SETTINGS) private readonly settings: IntakeSettings,
    @Inject(ErpInvoiceSubmittedHandler) private readonly erpDoor: ErpInvoiceSubmittedHandler,
    @Inject(ValidationOutcomeHandler) private readonly outcomes: ValidationOutcomeHandler,
    @Inject(SendOutcomeHandler) private readonly sendOutcomes: SendOutcomeHandler,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topics, schema } = this.settings;
    // Consumers fail on missing topics (broker auto-creation is off): make sure the ones we read and write exist,
    // with the partitions and dead-letter twins of the contracts (existing topics are left alone).
    await this.admin.ensureTopics(topicSpecsOf(Object.values(topics)));

    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${ERP_DOOR_GROUP}`,
      topics: [topics.erpInvoiceSubmitted],
      handler: inboxHandler(this.dataSource, new Inbox(schema, ERP_DOOR_GROUP), (manager, message) => this.erpDoor.handle(manager, message)),
    });
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${VALIDATION_OUTCOME_GROUP}`,
      topics: [topics.invoiceValidated, topics.invoiceInvalid],
      handler: inboxHandler(this.dataSource, new Inbox(schema, VALIDATION_OUTCOME_GROUP), (manager, message) => this.outcomes.handle(manager, message)),
    });
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${SEND_OUTCOME_GROUP}`,
      topics: [topics.invoiceSubmitted, topics.invoiceRejected, topics.invoiceEscalated],
      // A receipt can overtake the validator's verdict (both follow invoice.validated): give intake time to catch up.
      retry: { maxAttempts: 12, baseDelayMs: 500, maxDelayMs: 15_000 },
      handler: inboxHandler(this.dataSource, new Inbox(schema, SEND_OUTCOME_GROUP), (manager, message) => this.sendOutcomes.handle(manager, message)),
    });
  }
}
