import { config, telemetry } from './instrumentation';
import { runService } from '@ksef-bridge/service-kit';
import { SenderModule } from './app.module';
import { platform } from './config/sender.config';

runService({ ...platform, config, telemetry, module: SenderModule });
