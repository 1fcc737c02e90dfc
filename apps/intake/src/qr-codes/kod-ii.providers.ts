import type { Provider } from '@nestjs/common';
import type { IntakeSettings } from '../intake.settings';
import { KOD_II_SIGNER, SenderKodIISigner } from './kod-ii-signer.client';

/** The sender when nothing is configured (local runs): its default port, intake's own internal token. */
export const DEFAULT_SENDER_URL = 'http://127.0.0.1:3003';
export const DEFAULT_SENDER_TIMEOUT_MS = 5_000;

/** KOD II signing through the sender's internal API (SENDER_URL + INTERNAL_API_TOKEN). */
export function kodIIProviders(settings: IntakeSettings): Provider[] {
  const sender = { url: DEFAULT_SENDER_URL, token: settings.internalApiToken, timeoutMs: DEFAULT_SENDER_TIMEOUT_MS, ...settings.sender };
  return [{ provide: KOD_II_SIGNER, useValue: new SenderKodIISigner(sender) }];
}
