import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { config, platform } from './config/panel.config';
import { panelAppModule } from './panel.module';
import type { PanelSettings } from './panel.settings';

/** Panel settings from the environment. */
export function panelSettingsFromConfig(): PanelSettings {
  return {
    schema: platform.schema,
    intakeUrl: config.PANEL_INTAKE_URL,
    senderUrl: config.PANEL_SENDER_URL,
    internalApiToken: config.INTERNAL_API_TOKEN,
    sessionTtlMs: config.PANEL_SESSION_TTL_MS,
    cookieSecure: config.PANEL_COOKIE_SECURE,
    login: { maxFailures: config.PANEL_LOGIN_MAX_FAILURES, lockMs: config.PANEL_LOGIN_LOCK_MS },
    // The bundle's directory: Vite builds the SPA into dist/apps/panel/web, next to main.js.
    webDir: config.PANEL_WEB_DIR ?? join(__dirname, 'web'),
    backendTimeoutMs: 10_000,
  };
}

/** The operator/accountant web panel (docs/panel.md). */
@Module({ imports: [panelAppModule(platform, panelSettingsFromConfig())] })
export class PanelModule {}
