import type { EntityManager } from 'typeorm';
import type { Envelope } from '@ksef-bridge/contracts';

/** Public events, once per invoice outcome, and the webhook deliveries they fan out to. Inside the caller's transaction. */
export class NotificationRepository {
  readonly notifications: string;
  private readonly subscriptions: string;
  private readonly deliveries: string;

  constructor(schema: string) {
    this.notifications = `"${schema}".notifications`;
    this.subscriptions = `"${schema}".webhook_subscriptions`;
    this.deliveries = `"${schema}".webhook_deliveries`;
  }

  /**
   * Records a public event under `dedupeKey` (e.g. `accepted:<invoice id>`). False when an event with that key exists
   * already: the caller must then publish nothing, so an outcome reported twice (redelivery after the inbox was
   * purged, a producer that emitted it twice) still gives one public event.
   */
  async record(manager: EntityManager, input: { dedupeKey: string; sourceEventId: string; envelope: Envelope }): Promise<boolean> {
    const { envelope } = input;
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.notifications} (event_id, dedupe_key, source_event_id, invoice_id, tenant_id, event_type, envelope)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING event_id`,
      [envelope.id, input.dedupeKey, input.sourceEventId, envelope.aggregateId, envelope.tenant, envelope.type, JSON.stringify(envelope)],
    );
    return rows.length === 1;
  }

  /** One PENDING delivery per enabled subscription OF THE EVENT'S TENANT that asked for its type. Returns how many. */
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
