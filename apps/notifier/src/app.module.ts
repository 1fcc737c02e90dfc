import { Module } from '@nestjs/common';
import { PlatformModule } from '@ksef-bridge/service-kit';
import { platform } from './config/notifier.config';

/** Publishes outcomes and delivers webhooks. Its use cases arrive with the pipeline issue; the platform (Kafka, PostgreSQL, health) is wired here. */
@Module({
  imports: [PlatformModule.forRoot(platform)],
})
export class NotifierModule {}
