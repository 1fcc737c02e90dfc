import { config, telemetry } from './instrumentation';
import { bootstrapService } from '@ksef-bridge/service-kit';
import { runMigrations } from '@ksef-bridge/persistence';
import { KsefSimulatorModule } from './app.module';
import { DB_SCHEMA } from './config/simulator.config';
import { simulatorDataSource } from './simulator-database';

async function main(): Promise<void> {
  if (process.argv[2] === 'migrate') {
    const ds = await simulatorDataSource().initialize();
    await runMigrations(ds, DB_SCHEMA);
    await ds.destroy();
    return;
  }
  await bootstrapService({
    serviceName: config.SERVICE_NAME,
    module: KsefSimulatorModule,
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    telemetry,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`ksef-simulator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
