import { Module } from '@nestjs/common';
import { config, platform } from './config/validator.config';
import { validatorAppModule } from './validator.module';
import { DEFAULT_VALIDATOR_TOPICS } from './validator.settings';

/** FA(3)/FA(2) XSD validation and business rules, as configured from the environment. */
@Module({
  imports: [
    validatorAppModule(platform, {
      schema: platform.schema,
      topics: DEFAULT_VALIDATOR_TOPICS,
      consumerGroupPrefix: '',
      intakeUrl: config.INTAKE_URL,
      internalApiToken: config.INTERNAL_API_TOKEN,
      claimCheckTimeoutMs: config.CLAIM_CHECK_TIMEOUT_MS,
    }),
  ],
})
export class ValidatorModule {}
