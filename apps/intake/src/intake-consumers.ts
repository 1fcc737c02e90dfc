import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicSpecsOf } from '@ksef-bridge/contracts';
import { TopicAdmin } from '@ksef-bridge/kafka';
import { Inbox, inboxHandler } from '@ksef-bridge/outbox';
import { ConsumerRegistry } from '@ksef-bridge/service-kit';
import { INTAKE_SETTINGS, type IntakeSettings } from './intake.settings';
import { KsefVerdictHandler, KSEF_VERDICT_GROUP } from './record-sending/ksef-verdict.handler';
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
    @Inject(KsefVerdictHandler) private readonly verdicts: KsefVerdictHandler,
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
    this.registry.register({
      groupId: `${this.settings.consumerGroupPrefix}${KSEF_VERDICT_GROUP}`,
      topics: [topics.invoiceProcessing, topics.invoiceAccepted, topics.invoiceUpoReceived],
      // The status-poller follows invoice.submitted, which the send-outcome group records: a verdict can overtake it
      // (INVOICE_STATE_BEHIND). Waiting here never blocks that group. 30 attempts with full-jitter backoff capped at 30 s
      // wait about 6 minutes on average (a stalled sender relay) before the DLT, where the message is parked, not lost.
      retry: { maxAttempts: 30, baseDelayMs: 500, maxDelayMs: 30_000 },
      handler: inboxHandler(this.dataSource, new Inbox(schema, KSEF_VERDICT_GROUP), (manager, message) => this.verdicts.handle(manager, message)),
    });
  }
}
