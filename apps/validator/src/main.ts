import { config, telemetry } from './instrumentation';
import { runService } from '@ksef-bridge/service-kit';
import { ValidatorModule } from './app.module';
import { platform } from './config/validator.config';

runService({ ...platform, config, telemetry, module: ValidatorModule });
