import { z } from 'zod';
import { envBoolean, envInt, envOptional, loadServiceConfig } from '@ksef-bridge/config';
import { panelMigrations } from '../infrastructure/migrations/panel.migrations';

/**
 * Panel configuration, validated at boot. Common variables: see README "Configuration". Own variables:
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | PANEL_INTAKE_URL | http://127.0.0.1:3001 | intake's base URL (its `/internal/v1/panel` API) |
 * | PANEL_SENDER_URL | http://127.0.0.1:3003 | the sender's base URL (its `/internal/v1/panel` API) |
 * | INTERNAL_API_TOKEN | unset | bearer token presented to intake and the sender |
 * | PANEL_SESSION_TTL_MS | 28800000 | a session's lifetime (8 h), idle or not |
 * | PANEL_COOKIE_SECURE | false | mark the session cookie `Secure` (set true behind HTTPS) |
 * | PANEL_LOGIN_MAX_FAILURES | 5 | failed logins per user name (and per client address) before a lock-out |
 * | PANEL_LOGIN_LOCK_MS | 900000 | window of the failure count and length of the lock-out (15 min) |
 * | PANEL_WEB_DIR | (next to main.js)/web | the built SPA |
 * | PANEL_MAX_DOCUMENT_BYTES | 3000000 | largest re-submitted XML; keep equal to intake's INTAKE_MAX_DOCUMENT_BYTES |
 */
export const config = loadServiceConfig('panel', 3006, {
  PANEL_INTAKE_URL: z.string().url().default('http://127.0.0.1:3001'),
  PANEL_SENDER_URL: z.string().url().default('http://127.0.0.1:3003'),
  INTERNAL_API_TOKEN: envOptional(z.string().min(16)),
  PANEL_SESSION_TTL_MS: envInt(8 * 3600_000, 60_000, 7 * 24 * 3600_000),
  PANEL_COOKIE_SECURE: envBoolean(false),
  PANEL_LOGIN_MAX_FAILURES: envInt(5, 1, 1000),
  PANEL_LOGIN_LOCK_MS: envInt(15 * 60_000, 1000, 24 * 3600_000),
  PANEL_WEB_DIR: envOptional(z.string().min(1)),
  PANEL_MAX_DOCUMENT_BYTES: envInt(3_000_000, 1_000, 10_000_000),
});

/**
 * Largest request body: a re-submitted document travels as a JSON string, so the limit is intake's HTTP door formula
 * (4/3 of the document plus 256 KiB), never fastify's 1 MiB default, which refused valid 1-3 MB invoices here while
 * intake would have taken them. Intake stays the judge of the document's size (`DOCUMENT_TOO_LARGE`).
 */
export function panelBodyLimitBytes(maxDocumentBytes: number): number {
  return Math.ceil((maxDocumentBytes * 4) / 3) + 256 * 1024;
}

export type PanelConfig = typeof config;

/** PostgreSQL schema this service owns. */
const DB_SCHEMA = 'panel';

export const platform = { config, schema: DB_SCHEMA, migrations: panelMigrations(DB_SCHEMA) };
