import { config, telemetry } from './instrumentation';
import { createLogger } from '@ksef-bridge/observability';
import { runService } from '@ksef-bridge/service-kit';
import { SenderModule, senderSettingsFromConfig } from './app.module';
import { platform } from './config/sender.config';
import { registerContextCommand, rewrapKeysCommand } from './contexts/context-commands';
import { TokenCipher } from './contexts/token-cipher';
import { registerOfflineCertificateCommand, removeOfflineCertificateCommand } from './offline-certificates/offline-certificate-commands';

// Commands: (none) serve; `register-context --nip … --tenant … --token …|-` stores a KSeF context's token encrypted;
// `rewrap-keys` re-wraps data keys after a master-key rotation; `register-offline-certificate` / `remove-offline-certificate`
// manage a context's Offline certificate (KOD II, docs/qr-codes.md); `migrate` and `create-topics` as every service.
const command = process.argv[2];
const logger = createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL });
const fail = (error: unknown) => {
  logger.fatal({ err: error }, `${config.SERVICE_NAME} ${command ?? 'serve'} failed`);
  logger.flush();
  setTimeout(() => process.exit(1), 100);
};
if (config.NODE_ENV === 'production' && !config.INTERNAL_API_TOKEN) logger.warn('INTERNAL_API_TOKEN is unset: /internal/v1/ksef-contexts/{nip}/access-token refuses every call (401 INTERNAL_API_TOKEN_UNSET)');
if (config.usesDevMasterKey) logger.warn('SENDER_MASTER_KEY is the public development key: for local runs only (refused with NODE_ENV=production)');

if (command === 'register-offline-certificate' || command === 'remove-offline-certificate') {
  const settings = senderSettingsFromConfig();
  const cipher = new TokenCipher(settings.masterKey, settings.previousMasterKeys);
  const args = process.argv.slice(3);
  const task = command === 'register-offline-certificate' ? registerOfflineCertificateCommand(platform, cipher, args, logger) : removeOfflineCertificateCommand(platform, args, logger);
  task.then(() => {
    logger.flush();
    setTimeout(() => process.exit(0), 50);
  }, fail);
} else if (command === 'register-context' || command === 'rewrap-keys') {
  const settings = senderSettingsFromConfig();
  const cipher = new TokenCipher(settings.masterKey, settings.previousMasterKeys);
  const task = command === 'register-context' ? registerContextCommand(platform, cipher, process.argv.slice(3), logger) : rewrapKeysCommand(platform, cipher, logger);
  task.then(() => {
    logger.flush();
    setTimeout(() => process.exit(0), 50);
  }, fail);
} else {
  runService({ ...platform, config, telemetry, module: SenderModule });
}
