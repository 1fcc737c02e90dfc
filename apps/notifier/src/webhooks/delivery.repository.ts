import type { EntityManager } from 'typeorm';
import type { Envelope } from '@ksef-bridge/contracts';
import { PermanentError } from '@ksef-bridge/errors';
import type { SealedSecret } from '@ksef-bridge/secrets';
import { returnedRows } from '../infrastructure/returned-rows';
import { previousSealedOf, sealedOf, type SubscriptionRow } from './subscription.repository';

/** A delivery claimed for one attempt, with what the attempt needs. */
export interface ClaimedDelivery {
  id: string;
  /** Set by each claim: every later write names it, so a claimer whose lease was taken over writes nothing. */
  claimToken: string;
  subscriptionId: string;
  tenantId: string;
  subscriptionTenantId: string;
  /** Attempts made in this round before this one. */
  attempts: number;
  round: number;
  url: string;
  sealed: SealedSecret;
  /** The previous secret while its rotation grace period runs: the attempt is signed with both. */
  previousSealed?: SealedSecret;
  envelope: Envelope;
  eventCreatedAt: Date;
}

export type DeliveryClaim = Pick<ClaimedDelivery, 'id' | 'claimToken'>;

export class DeliveryLeaseLostError extends PermanentError {
  constructor(id: string) {
    super('WEBHOOK_DELIVERY_LEASE_LOST', `the claim on webhook delivery ${id} was lost (lease expired and another instance took it)`);
  }
}

export interface AttemptRecord {
  deliveryId: string;
  round: number;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  outcome: 'delivered' | 'retriable-failure' | 'permanent-failure';
  httpStatus?: number;
  error?: string;
  responseSnippet?: string;
}

export interface RedeliverFilter {
  tenantId?: string;
  subscriptionId?: string;
  deliveryId?: string;
}

type SecretColumns = 'secret_ciphertext' | 'secret_iv' | 'secret_tag' | 'data_key_wrapped' | 'master_key_id';
type PreviousSecretColumns = 'previous_secret_ciphertext' | 'previous_secret_iv' | 'previous_secret_tag' | 'previous_data_key_wrapped' | 'previous_master_key_id';
type ClaimedRow = Pick<SubscriptionRow, 'url' | SecretColumns | PreviousSecretColumns> & {
  id: string;
  claim_token: string;
  subscription_id: string;
  tenant_id: string;
  subscription_tenant_id: string;
  attempts: number;
  round: number;
  envelope: Envelope;
  event_created_at: Date;
};

/** Webhook deliveries and their append-only attempts. Every write goes through here, inside the caller's transaction. */
export class DeliveryRepository {
  readonly deliveries: string;
  private readonly attemptsTable: string;
  private readonly subscriptions: string;
  private readonly notifications: string;

  constructor(schema: string) {
    this.deliveries = `"${schema}".webhook_deliveries`;
    this.attemptsTable = `"${schema}".webhook_attempts`;
    this.subscriptions = `"${schema}".webhook_subscriptions`;
    this.notifications = `"${schema}".notifications`;
  }

  /**
   * Claims up to `limit` due deliveries of enabled subscriptions (PENDING and due, or DELIVERING whose lease ran out:
   * its instance died mid-POST) with `FOR UPDATE SKIP LOCKED`, moving them to DELIVERING under a fresh claim token and
   * a lease of `leaseMs`. Two instances never claim the same delivery at once.
   */
  async claimDue(manager: EntityManager, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const claimed = returnedRows<{ id: string }>(await manager.query(
      `UPDATE ${this.deliveries} d SET state = 'DELIVERING', claim_token = gen_random_uuid(), lease_until = clock_timestamp() + $2 * interval '1 millisecond', updated_at = clock_timestamp()
       WHERE d.id IN (
         SELECT x.id FROM ${this.deliveries} x JOIN ${this.subscriptions} s ON s.id = x.subscription_id
         WHERE s.enabled AND x.next_attempt_at <= clock_timestamp()
           AND (x.state = 'PENDING' OR (x.state = 'DELIVERING' AND x.lease_until < clock_timestamp()))
         ORDER BY x.next_attempt_at LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
       RETURNING d.id`,
      [limit, leaseMs],
    ));
    if (claimed.length === 0) return [];
    const rows: ClaimedRow[] = await manager.query(
      `SELECT d.id, d.claim_token, d.subscription_id, d.tenant_id, d.attempts, d.round, s.tenant_id AS subscription_tenant_id, s.url,
         s.secret_ciphertext, s.secret_iv, s.secret_tag, s.data_key_wrapped, s.master_key_id, n.envelope, n.created_at AS event_created_at,
         p.previous_secret_ciphertext, p.previous_secret_iv, p.previous_secret_tag, p.previous_data_key_wrapped, p.previous_master_key_id
       FROM ${this.deliveries} d JOIN ${this.subscriptions} s ON s.id = d.subscription_id JOIN ${this.notifications} n ON n.event_id = d.event_id
       LEFT JOIN ${this.subscriptions} p ON p.id = s.id AND p.previous_secret_expires_at > clock_timestamp()
       WHERE d.id = ANY ($1::uuid[]) ORDER BY d.next_attempt_at`,
      [claimed.map((c) => c.id)],
    );
    return rows.map((r) => ({
      id: r.id,
      claimToken: r.claim_token,
      subscriptionId: r.subscription_id,
      tenantId: r.tenant_id,
      subscriptionTenantId: r.subscription_tenant_id,
      attempts: r.attempts,
      round: r.round,
      url: r.url,
      sealed: sealedOf(r),
      previousSealed: previousSealedOf(r),
      envelope: r.envelope,
      eventCreatedAt: r.event_created_at,
    }));
  }

  async recordAttempt(manager: EntityManager, a: AttemptRecord): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.attemptsTable} (delivery_id, round, attempt, started_at, duration_ms, outcome, http_status, error, response_snippet)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [a.deliveryId, a.round, a.attempt, a.startedAt, a.durationMs, a.outcome, a.httpStatus ?? null, a.error ?? null, a.responseSnippet ?? null],
    );
  }

  async markDelivered(manager: EntityManager, claim: DeliveryClaim, httpStatus: number): Promise<void> {
    await this.update(manager, claim, `state = 'DELIVERED', attempts = attempts + 1, lease_until = NULL, delivered_at = clock_timestamp(), last_http_status = $3, last_error = NULL`, [httpStatus]);
  }

  async requeue(manager: EntityManager, claim: DeliveryClaim, o: { delayMs: number; httpStatus?: number; error: string }): Promise<void> {
    await this.update(
      manager,
      claim,
      `state = 'PENDING', attempts = attempts + 1, lease_until = NULL, next_attempt_at = clock_timestamp() + $3 * interval '1 millisecond', last_http_status = $4, last_error = $5`,
      [o.delayMs, o.httpStatus ?? null, o.error],
    );
  }

  async markDead(manager: EntityManager, claim: DeliveryClaim, o: { reason: 'permanent-failure' | 'attempts-exhausted'; httpStatus?: number; error: string }): Promise<void> {
    await this.update(
      manager,
      claim,
      `state = 'DEAD', attempts = attempts + 1, lease_until = NULL, dead_at = clock_timestamp(), dead_reason = $3, last_http_status = $4, last_error = $5`,
      [o.reason, o.httpStatus ?? null, o.error],
    );
  }

  /** DEAD deliveries matching `filter` back to PENDING, due now, in a new round with a fresh attempt budget. Returns how many. */
  async redeliver(manager: EntityManager, filter: RedeliverFilter): Promise<number> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.deliveries} SET state = 'PENDING', attempts = 0, round = round + 1, next_attempt_at = clock_timestamp(), dead_at = NULL, dead_reason = NULL, updated_at = clock_timestamp()
       WHERE state = 'DEAD' AND ($1::text IS NULL OR tenant_id = $1) AND ($2::uuid IS NULL OR subscription_id = $2) AND ($3::uuid IS NULL OR id = $3)
       RETURNING id`,
      [filter.tenantId ?? null, filter.subscriptionId ?? null, filter.deliveryId ?? null],
    ));
    return rows.length;
  }

  /** Deliveries not yet delivered nor dead (of enabled subscriptions or not), and the age of the oldest, for the gauges. */
  async backlog(manager: EntityManager): Promise<{ pending: number; oldestAgeSeconds: number; dead: number }> {
    const [row]: Array<{ pending: string; oldest: string | null; dead: string }> = await manager.query(
      `SELECT count(*) FILTER (WHERE state IN ('PENDING', 'DELIVERING')) AS pending,
              extract(epoch FROM clock_timestamp() - min(created_at) FILTER (WHERE state IN ('PENDING', 'DELIVERING'))) AS oldest,
              count(*) FILTER (WHERE state = 'DEAD') AS dead
       FROM ${this.deliveries} WHERE state <> 'DELIVERED'`,
    );
    return { pending: Number(row.pending), oldestAgeSeconds: Number(row.oldest ?? 0), dead: Number(row.dead) };
  }

  /** `SET …` on the delivery if this claim still holds it ($1 id, $2 claim token, then `params`); DeliveryLeaseLostError otherwise. */
  private async update(manager: EntityManager, claim: DeliveryClaim, set: string, params: unknown[]): Promise<void> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.deliveries} SET ${set}, updated_at = clock_timestamp() WHERE id = $1 AND claim_token = $2 AND state = 'DELIVERING' RETURNING id`,
      [claim.id, claim.claimToken, ...params],
    ));
    if (rows.length !== 1) throw new DeliveryLeaseLostError(claim.id);
  }
}
