// Imported on the first line of main.ts: OpenTelemetry must patch http, pg and undici before they are loaded.
import { startTelemetry } from '@ksef-bridge/observability';
import { config } from './config/panel.config';

export const telemetry = startTelemetry({
  serviceName: config.SERVICE_NAME,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  enabled: config.OTEL_ENABLED,
});
export { config };
