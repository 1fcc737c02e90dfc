import { Module } from '@nestjs/common';
import { DEFAULT_INTAKE_TOPICS, httpBodyLimitBytes } from './intake.settings';
import { config, platform } from './config/intake.config';
import { intakeAppModule } from './intake.module';

/** Intake as configured from the environment. */
export const intakeModule = intakeAppModule(platform, {
  schema: platform.schema,
  maxDocumentBytes: config.INTAKE_MAX_DOCUMENT_BYTES,
  internalApiToken: config.INTERNAL_API_TOKEN,
  topics: DEFAULT_INTAKE_TOPICS,
  consumerGroupPrefix: '',
  confirmationDeadlineSeconds: config.INTAKE_CONFIRMATION_DEADLINE_SECONDS,
  sender: { url: config.SENDER_URL, token: config.INTERNAL_API_TOKEN, timeoutMs: config.INTAKE_SENDER_TIMEOUT_MS },
});

/** ERP doors: the HTTP API and the ERP Kafka topic, idempotent per ERP document. */
@Module({ imports: [intakeModule] })
export class IntakeModule {}

/** Largest request body: the largest invoice as base64 plus JSON overhead and metadata. */
export const HTTP_BODY_LIMIT_BYTES = httpBodyLimitBytes(config.INTAKE_MAX_DOCUMENT_BYTES);
