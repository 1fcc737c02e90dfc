import type { EntityManager } from 'typeorm';
import type { Logger } from '@ksef-bridge/observability';
import { runMigrations, withTransaction } from '@ksef-bridge/persistence';
import type { EnvelopeCipher } from '@ksef-bridge/secrets';
import { platformDataSource, type PlatformOptions } from '@ksef-bridge/service-kit';
import { parseEventTypes } from '../domain/public-events';
import { generateWebhookSecret } from '../domain/webhook-signature';
import { checkWebhookUrl } from '../domain/webhook-url';
import { DeliveryRepository } from './delivery.repository';
import { SubscriptionRepository } from './subscription.repository';

/** The CLI commands of the notifier (argv[2]); anything else falls through to `runService`. */
export const WEBHOOK_COMMANDS = ['register-webhook', 'list-webhooks', 'disable-webhook', 'enable-webhook', 'rotate-webhook-secret', 'redeliver-webhooks', 'rewrap-webhook-keys'] as const;
export type WebhookCommand = (typeof WEBHOOK_COMMANDS)[number];

export const isWebhookCommand = (name: string | undefined): name is WebhookCommand => (WEBHOOK_COMMANDS as readonly string[]).includes(name ?? '');

const USAGE = `usage:
  register-webhook --tenant <tenant> --url <https URL> [--events accepted,rejected,escalated,upo-available]   prints the secret ONCE
  list-webhooks [--tenant <tenant>]
  disable-webhook --id <subscription id> | enable-webhook --id <subscription id>
  rotate-webhook-secret --id <subscription id> [--grace-hours 24]                               prints the new secret ONCE; the old one
                                                                                                also signs for --grace-hours (0: stops at once)
  redeliver-webhooks --tenant <tenant> | --subscription <id> | --delivery <id> | --all          re-queues DEAD deliveries
  rewrap-webhook-keys                                                                           after a NOTIFIER_MASTER_KEY rotation`;

/** `--name value` pairs; `--all` alone is a flag. */
export function parseFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i];
    if (name === '--all') {
      flags['all'] = 'true';
      continue;
    }
    if (!name.startsWith('--') || i + 1 >= args.length) throw new Error(`${USAGE}\n(unexpected '${name}')`);
    flags[name.slice(2)] = args[(i += 1)];
  }
  return flags;
}

export interface CommandContext {
  platform: PlatformOptions;
  cipher: EnvelopeCipher;
  production: boolean;
  logger: Logger;
  /** Where command output goes (stdout as JSON lines in the CLI). Secrets are printed here, never logged. */
  print: (line: Record<string, unknown>) => void;
}

/** How long a rotated-out secret keeps signing by default, so receivers can switch without refusing deliveries. */
const DEFAULT_GRACE_HOURS = 24;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireId(flags: Record<string, string>, name = 'id'): string {
  const id = flags[name];
  if (!id || !UUID.test(id)) throw new Error(`${USAGE}\n(--${name} must be a subscription/delivery id, a UUID)`);
  return id;
}

/** Runs one command against the service's schema (migrating first, like every command). */
export async function runWebhookCommand(command: WebhookCommand, args: readonly string[], ctx: CommandContext): Promise<void> {
  const flags = parseFlags(args);
  const subscriptions = new SubscriptionRepository(ctx.platform.schema);
  const run = async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
    const dataSource = await platformDataSource(ctx.platform).initialize();
    try {
      await runMigrations(dataSource, ctx.platform.schema);
      return await withTransaction(dataSource, work);
    } finally {
      await dataSource.destroy();
    }
  };
  switch (command) {
    case 'register-webhook': {
      const tenant = flags['tenant'];
      if (!tenant || !flags['url']) throw new Error(USAGE);
      const url = checkWebhookUrl(flags['url'], ctx.production).toString();
      const eventTypes = parseEventTypes(flags['events']);
      const secret = generateWebhookSecret();
      const created = await run((m) => subscriptions.create(m, ctx.cipher, { tenantId: tenant, url, eventTypes, secret }));
      ctx.logger.info({ subscriptionId: created.id, tenant, eventTypes }, 'webhook registered; its secret is stored encrypted');
      ctx.print({ subscriptionId: created.id, tenant, url, events: eventTypes, secret, note: 'store the secret now: it is not shown again' });
      return;
    }
    case 'list-webhooks': {
      for (const s of await run((m) => subscriptions.list(m, flags['tenant']))) ctx.print({ ...s });
      return;
    }
    case 'disable-webhook':
    case 'enable-webhook': {
      const id = requireId(flags);
      const updated = await run((m) => subscriptions.setEnabled(m, id, command === 'enable-webhook'));
      if (!updated) throw new Error(`no webhook subscription ${id}`);
      ctx.print({ subscriptionId: id, enabled: updated.enabled });
      return;
    }
    case 'rotate-webhook-secret': {
      const id = requireId(flags);
      const graceHours = Number(flags['grace-hours'] ?? DEFAULT_GRACE_HOURS);
      if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > 720) throw new Error(`${USAGE}\n(--grace-hours must be a number of hours from 0 to 720)`);
      const secret = generateWebhookSecret();
      const updated = await run((m) => subscriptions.rotateSecret(m, ctx.cipher, id, secret, Math.round(graceHours * 3_600_000)));
      if (!updated) throw new Error(`no webhook subscription ${id}`);
      ctx.logger.info({ subscriptionId: id, graceHours }, 'webhook secret rotated; attempts are signed with the new one (and the old one during the grace period)');
      ctx.print({ subscriptionId: id, secret, previousSecretValidUntil: updated.previousSecretExpiresAt ?? null, note: 'store the secret now: it is not shown again' });
      return;
    }
    case 'redeliver-webhooks': {
      const filter = { tenantId: flags['tenant'], subscriptionId: flags['subscription'] && requireId(flags, 'subscription'), deliveryId: flags['delivery'] && requireId(flags, 'delivery') };
      if (!filter.tenantId && !filter.subscriptionId && !filter.deliveryId && flags['all'] !== 'true') throw new Error(`${USAGE}\n(redeliver-webhooks needs a filter, or --all)`);
      const requeued = await run((m) => new DeliveryRepository(ctx.platform.schema).redeliver(m, filter));
      ctx.logger.info({ requeued, ...filter }, 'dead webhook deliveries re-queued');
      ctx.print({ requeued });
      return;
    }
    case 'rewrap-webhook-keys': {
      const rewrapped = await run((m) => subscriptions.rewrapAll(m, ctx.cipher));
      ctx.print({ rewrapped, masterKeyId: ctx.cipher.currentKeyId });
      return;
    }
  }
}
