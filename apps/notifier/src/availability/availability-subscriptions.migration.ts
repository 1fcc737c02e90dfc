import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subscriptions made before `notification.ksef-availability-changed` existed with EVERY public type then known (the
 * `register-webhook` default, "all") get the new type too: "all" keeps meaning all. Subscriptions that chose a
 * subset are left alone.
 */
export function availabilitySubscriptionMigrations(schema: string): Array<new () => MigrationInterface> {
  const s = `"${schema}"`;
  class KsefAvailabilitySubscriptions1764300000100 implements MigrationInterface {
    name = 'KsefAvailabilitySubscriptions1764300000100';
    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `UPDATE ${s}.webhook_subscriptions SET event_types = array_append(event_types, 'notification.ksef-availability-changed'), updated_at = clock_timestamp()
          WHERE event_types @> ARRAY['notification.invoice-accepted', 'notification.invoice-rejected', 'notification.invoice-escalated', 'notification.invoice-upo-available']
            AND NOT 'notification.ksef-availability-changed' = ANY (event_types)`,
      );
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`UPDATE ${s}.webhook_subscriptions SET event_types = array_remove(event_types, 'notification.ksef-availability-changed') WHERE cardinality(event_types) > 1`);
    }
  }
  /**
   * `notification.ksef-announcement-changed` (the Ministry's announcement changed while our observation did not) goes
   * to every subscription that asked for KSeF availability: the announcement decides which legal offline mode applies,
   * so a subscriber to availability must hear of it. Receivers ignore types they do not handle (docs/events.md).
   */
  class KsefAnnouncementSubscriptions1764600000100 implements MigrationInterface {
    name = 'KsefAnnouncementSubscriptions1764600000100';
    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `UPDATE ${s}.webhook_subscriptions SET event_types = array_append(event_types, 'notification.ksef-announcement-changed'), updated_at = clock_timestamp()
          WHERE 'notification.ksef-availability-changed' = ANY (event_types) AND NOT 'notification.ksef-announcement-changed' = ANY (event_types)`,
      );
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`UPDATE ${s}.webhook_subscriptions SET event_types = array_remove(event_types, 'notification.ksef-announcement-changed') WHERE cardinality(event_types) > 1`);
    }
  }
  return [KsefAvailabilitySubscriptions1764300000100, KsefAnnouncementSubscriptions1764600000100];
}
