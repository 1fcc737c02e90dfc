import { Module } from '@nestjs/common';
import { PlatformModule } from '@ksef-bridge/service-kit';
import { platform } from './config/intake.config';

/** ERP doors: the HTTP API and the ERP Kafka topic, idempotent per ERP document. Its use cases arrive with the pipeline issue; the platform (Kafka, PostgreSQL, health) is wired here. */
@Module({
  imports: [PlatformModule.forRoot(platform)],
})
export class IntakeModule {}
