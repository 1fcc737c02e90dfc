import { Module } from '@nestjs/common';
import { PlatformModule } from '@ksef-bridge/service-kit';
import { platform } from './config/validator.config';

/** FA(3)/FA(2) XSD validation and business rules. Its use cases arrive with the pipeline issue; the platform (Kafka, PostgreSQL, health) is wired here. */
@Module({
  imports: [PlatformModule.forRoot(platform)],
})
export class ValidatorModule {}
