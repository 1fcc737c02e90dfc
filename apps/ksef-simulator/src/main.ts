import { config, telemetry } from './instrumentation';
import { bootstrapService } from '@ksef-bridge/service-kit';
import { databaseConfig } from '@ksef-bridge/config';
import { KsefSimulatorModule } from './app.module';
import { configureSimulatorHttp } from './http/simulator-http.setup';
import { settingsFromConfig } from './config/simulator-settings.factory';
import { initializeSimulatorDatabase } from './simulator-database';

async function main(): Promise<void> {
  if (process.argv[2] === 'migrate') {
    const ds = await initializeSimulatorDatabase(databaseConfig(config));
    await ds.destroy();
    return;
  }
  await bootstrapService({
    serviceName: config.SERVICE_NAME,
    module: KsefSimulatorModule.forRoot(settingsFromConfig(config), databaseConfig(config)),
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: config.SIM_BODY_LIMIT_BYTES,
    globalPrefix: 'v2',
    configure: (app) => configureSimulatorHttp(app),
    telemetry,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`ksef-simulator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
