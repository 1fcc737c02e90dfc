import { config, telemetry } from './instrumentation';
import { createLogger } from '@ksef-bridge/observability';
import { runService } from '@ksef-bridge/service-kit';
import { NotifierModule, notifierSettingsFromConfig } from './app.module';
import { platform } from './config/notifier.config';
import { webhookSecretCipher } from './notifier.settings';
import { isWebhookCommand, runWebhookCommand } from './webhooks/webhook-commands';

// Commands: (none) serve; webhook subscriptions: `register-webhook`, `list-webhooks`, `disable-webhook`,
// `enable-webhook`, `rotate-webhook-secret`, `redeliver-webhooks`, `rewrap-webhook-keys` (docs/notifier.md);
// `migrate` and `create-topics` as every service.
const command = process.argv[2];
const logger = createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL });
if (config.usesDevMasterKey) logger.warn('NOTIFIER_MASTER_KEY is the public development key: for local runs only (refused with NODE_ENV=production)');

if (isWebhookCommand(command)) {
  const settings = notifierSettingsFromConfig();
  const cipher = webhookSecretCipher(settings.masterKey, settings.previousMasterKeys);
  const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  runWebhookCommand(command, process.argv.slice(3), { platform, cipher, production: settings.production, logger, print }).then(
    () => {
      logger.flush();
      setTimeout(() => process.exit(0), 50);
    },
    (error: unknown) => {
      logger.fatal({ err: error }, `${config.SERVICE_NAME} ${command} failed`);
      logger.flush();
      setTimeout(() => process.exit(1), 100);
    },
  );
} else {
  runService({ ...platform, config, telemetry, module: NotifierModule });
}
