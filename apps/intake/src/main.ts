import { config, telemetry } from './instrumentation';
import { bootstrapService, runService } from '@ksef-bridge/service-kit';
import { createLogger } from '@ksef-bridge/observability';
import { HTTP_BODY_LIMIT_BYTES, IntakeModule, intakeModule } from './app.module';
import { platform } from './config/intake.config';
import { createTenantCommand } from './tenants/create-tenant.command';

// Commands: (none) serve; `create-tenant <id> [name]` prints a new API key; `migrate` and `create-topics` as every service.
const command = process.argv[2];
const logger = createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL });
const fail = (error: unknown) => {
  logger.fatal({ err: error }, `${config.SERVICE_NAME} ${command ?? 'serve'} failed`);
  logger.flush();
  setTimeout(() => process.exit(1), 100);
};

if (command === undefined) {
  // Served here rather than by runService: the HTTP door needs a body limit above the 1 MiB default (3 MB invoices).
  bootstrapService({
    serviceName: config.SERVICE_NAME,
    module: intakeModule,
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    telemetry,
    logger,
    bodyLimitBytes: HTTP_BODY_LIMIT_BYTES,
  }).catch(fail);
} else if (command === 'create-tenant') {
  createTenantCommand(platform, process.argv.slice(3), logger).then(() => process.exit(0), fail);
} else {
  runService({ ...platform, config, telemetry, module: IntakeModule });
}
