import type { EntityManager } from 'typeorm';
import type { Envelope } from '@ksef-bridge/contracts';

/**
 * Availability notifications in the notifier's `notifications` table. Unlike invoice outcomes they are not about an
 * invoice: `invoice_id` holds the transition id (the aggregate), and besides the one public event (tenant `*`) each
 * subscribed tenant gets its own row (its webhook's event), because a delivery may only carry its own tenant's event
 * (composite foreign keys).
 */
export class AvailabilityNotificationRepository {
  private readonly notifications: string;
  private readonly subscriptions: string;
  private readonly deliveries: string;

  constructor(schema: string) {
    this.notifications = `"${schema}".notifications`;
    this.subscriptions = `"${schema}".webhook_subscriptions`;
    this.deliveries = `"${schema}".webhook_deliveries`;
  }

  /** False when `dedupeKey` was recorded before (the same transition again): publish nothing then. */
  async record(manager: EntityManager, input: { dedupeKey: string; sourceEventId: string; transitionId: string; envelope: Envelope }): Promise<boolean> {
    const { envelope } = input;
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.notifications} (event_id, dedupe_key, source_event_id, invoice_id, tenant_id, event_type, envelope)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING event_id`,
      [envelope.id, input.dedupeKey, input.sourceEventId, input.transitionId, envelope.tenant, envelope.type, JSON.stringify(envelope)],
    );
    return rows.length === 1;
  }

  /** Tenants with at least one enabled subscription to `eventType`. */
  async subscribedTenants(manager: EntityManager, eventType: string): Promise<string[]> {
    const rows: Array<{ tenant_id: string }> = await manager.query(`SELECT DISTINCT tenant_id FROM ${this.subscriptions} WHERE enabled AND $1 = ANY (event_types) ORDER BY tenant_id`, [eventType]);
    return rows.map((r) => r.tenant_id);
  }

  /** One PENDING delivery per enabled subscription of the envelope's tenant that asked for its type. */
  async fanOut(manager: EntityManager, envelope: Envelope): Promise<number> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.deliveries} (id, subscription_id, event_id, tenant_id)
       SELECT gen_random_uuid(), s.id, $1, s.tenant_id FROM ${this.subscriptions} s
       WHERE s.tenant_id = $2 AND s.enabled AND $3 = ANY (s.event_types)
       ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
      [envelope.id, envelope.tenant, envelope.type],
    );
    return rows.length;
  }
}
