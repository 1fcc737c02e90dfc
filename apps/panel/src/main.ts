import { config, telemetry } from './instrumentation';
import { createLogger } from '@ksef-bridge/observability';
import { runService } from '@ksef-bridge/service-kit';
import { PanelModule } from './app.module';
import { panelBodyLimitBytes, platform } from './config/panel.config';
import { createUserCommand } from './users/create-user.command';

// Commands: (none) serve; `create-user <username> <role> [tenant]` (password on stdin); `migrate` and `create-topics` as every service.
const command = process.argv[2];
const logger = createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL });
const fail = (error: unknown) => {
  logger.fatal({ err: error }, `${config.SERVICE_NAME} ${command ?? 'serve'} failed`);
  logger.flush();
  setTimeout(() => process.exit(1), 100);
};

if (command === 'create-user') {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c: Buffer) => chunks.push(c));
  process.stdin.on('end', () => {
    createUserCommand(platform, process.argv.slice(3), Buffer.concat(chunks).toString('utf8'), logger).then(() => {
      logger.flush();
      setTimeout(() => process.exit(0), 50);
    }, fail);
  });
} else {
  if (!config.INTERNAL_API_TOKEN) logger.warn('INTERNAL_API_TOKEN is unset: intake and the sender must leave /internal open (local runs only)');
  runService({ ...platform, config, telemetry, module: PanelModule, bodyLimitBytes: panelBodyLimitBytes(config.PANEL_MAX_DOCUMENT_BYTES) });
}
