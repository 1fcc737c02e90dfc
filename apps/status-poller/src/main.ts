import { config, telemetry } from './instrumentation';
import { runService } from '@ksef-bridge/service-kit';
import { StatusPollerModule } from './app.module';
import { platform } from './config/status-poller.config';

runService({ ...platform, config, telemetry, module: StatusPollerModule });
