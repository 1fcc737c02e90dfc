import { config, telemetry } from './instrumentation';
import { runService } from '@ksef-bridge/service-kit';
import { NotifierModule } from './app.module';
import { platform } from './config/notifier.config';

runService({ ...platform, config, telemetry, module: NotifierModule });
