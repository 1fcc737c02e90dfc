import { Module } from '@nestjs/common';
import { PlatformModule } from '@ksef-bridge/service-kit';
import { platform } from './config/status-poller.config';

/** Follows submissions to their final state; fetches KSeF numbers and UPOs. Its use cases arrive with the pipeline issue; the platform (Kafka, PostgreSQL, health) is wired here. */
@Module({
  imports: [PlatformModule.forRoot(platform)],
})
export class StatusPollerModule {}
