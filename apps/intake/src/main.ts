import { config, telemetry } from './instrumentation';
import { runService } from '@ksef-bridge/service-kit';
import { IntakeModule } from './app.module';
import { platform } from './config/intake.config';

runService({ ...platform, config, telemetry, module: IntakeModule });
