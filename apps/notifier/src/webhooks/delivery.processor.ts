import type { DataSource } from 'typeorm';
import { notifierWebhookDeadLettered, type NotifierWebhookDeadLettered } from '@ksef-bridge/contracts';
import type { Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { EnvelopeCipher } from '@ksef-bridge/secrets';
import { webhookBody } from '../domain/public-events';
import { classifyStatus, describeTransportError } from '../domain/response-classification';
import { parseRetryAfter, retryDelayMs, type WebhookRetryPolicy } from '../domain/retry-backoff';
import { checkWebhookUrl } from '../domain/webhook-url';
import { signatureHeader, WEBHOOK_HEADERS } from '../domain/webhook-signature';
import type { AttemptRecord, ClaimedDelivery, DeliveryRepository } from './delivery.repository';
import type { NotifierMetrics } from './notifier-metrics';
import { postWebhook } from './webhook-client';

export interface DeliveryOptions {
  production: boolean;
  retry: WebhookRetryPolicy;
  timeoutMs: number;
  upoInlineMaxBytes: number;
  upoLinkBaseUrl?: string;
  deadLetterTopic: string;
}

/** What one attempt came to, before it is recorded. */
interface AttemptResult {
  kind: 'delivered' | 'retriable' | 'permanent';
  httpStatus?: number;
  error?: string;
  snippet?: string;
  retryAfterMs?: number;
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
};

/**
 * One attempt of one claimed delivery: sign, POST, classify, and record in ONE transaction the attempt row, the
 * delivery's new state and (when it goes DEAD) the dead-letter event. Metrics count only after the commit.
 */
export class DeliveryProcessor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: OutboxWriter,
    private readonly cipher: EnvelopeCipher,
    private readonly options: DeliveryOptions,
    private readonly logger: Logger,
    private readonly metrics: NotifierMetrics,
  ) {}

  async process(d: ClaimedDelivery): Promise<void> {
    const attempt = d.attempts + 1;
    const startedAt = new Date();
    const result = await this.attempt(d, attempt);
    const durationMs = Date.now() - startedAt.getTime();
    const record: AttemptRecord = {
      deliveryId: d.id,
      round: d.round,
      attempt,
      startedAt,
      durationMs,
      outcome: result.kind === 'delivered' ? 'delivered' : result.kind === 'retriable' ? 'retriable-failure' : 'permanent-failure',
      httpStatus: result.httpStatus,
      error: result.error,
      responseSnippet: result.snippet,
    };
    const dead = result.kind === 'permanent' || (result.kind === 'retriable' && attempt >= this.options.retry.maxAttempts);
    const reason = result.kind === 'permanent' ? 'permanent-failure' : 'attempts-exhausted';
    const error = result.error ?? `HTTP ${result.httpStatus}`;
    await withTransaction(this.dataSource, async (m) => {
      await this.deliveries.recordAttempt(m, record);
      if (result.kind === 'delivered') await this.deliveries.markDelivered(m, d, result.httpStatus as number);
      else if (!dead) await this.deliveries.requeue(m, d, { delayMs: retryDelayMs(this.options.retry, attempt, result.retryAfterMs), httpStatus: result.httpStatus, error });
      else {
        await this.deliveries.markDead(m, d, { reason, httpStatus: result.httpStatus, error });
        await this.outbox.enqueue(m, [{ topic: this.options.deadLetterTopic, envelope: this.deadLetter(d, reason, attempt, result.httpStatus, error) }]);
      }
    });
    const seconds = durationMs / 1000;
    if (result.kind === 'delivered') {
      this.metrics.attempt('delivered', seconds);
      this.metrics.delivered((Date.now() - d.eventCreatedAt.getTime()) / 1000);
    } else if (dead) {
      this.metrics.attempt('dead', seconds);
      this.metrics.dead(reason);
      this.logger.warn({ deliveryId: d.id, subscriptionId: d.subscriptionId, eventId: d.envelope.id, reason, attempts: attempt, httpStatus: result.httpStatus, error }, 'webhook delivery is DEAD');
    } else {
      this.metrics.attempt('retry', seconds);
    }
  }

  private async attempt(d: ClaimedDelivery, attempt: number): Promise<AttemptResult> {
    // The database makes a cross-tenant delivery impossible (composite foreign keys); this is the second lock.
    if (d.subscriptionTenantId !== d.tenantId || d.envelope.tenant !== d.tenantId) return { kind: 'permanent', error: 'TENANT_MISMATCH: event and subscription belong to different tenants' };
    let url: URL;
    try {
      url = checkWebhookUrl(d.url, this.options.production);
    } catch (err) {
      return { kind: 'permanent', error: `URL_REFUSED: ${(err as Error).message}` };
    }
    // A master key that does not open the secret is a configuration fault, not the endpoint's: throw, burn no attempt.
    const secrets = [d.sealed, ...(d.previousSealed ? [d.previousSealed] : [])].map((sealed) => this.cipher.decrypt(sealed, d.subscriptionId));
    const body = webhookBody(d.envelope, this.options.upoInlineMaxBytes, this.options.upoLinkBaseUrl);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      [WEBHOOK_HEADERS.eventId]: d.envelope.id,
      [WEBHOOK_HEADERS.eventType]: d.envelope.type,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      // During a rotation's grace period: `v1=<new>,v1=<previous>`; receivers accept any entry that verifies.
      [WEBHOOK_HEADERS.signature]: secrets.map((secret) => signatureHeader(secret, timestamp, body)).join(','),
      [WEBHOOK_HEADERS.deliveryId]: d.id,
      [WEBHOOK_HEADERS.attempt]: String(attempt),
    };
    try {
      const response = await postWebhook(url.toString(), body, headers, this.options.timeoutMs);
      const kind = classifyStatus(response.status);
      return {
        kind,
        httpStatus: response.status,
        snippet: response.snippet || undefined,
        error: kind === 'delivered' ? undefined : `HTTP ${response.status}${kind === 'permanent' && response.status < 400 ? ' (redirects are not followed)' : ''}`,
        retryAfterMs: parseRetryAfter(response.retryAfter),
      };
    } catch (err) {
      return { kind: 'retriable', error: describeTransportError(err) };
    }
  }

  private deadLetter(d: ClaimedDelivery, reason: NotifierWebhookDeadLettered['reason'], attempts: number, httpStatus: number | undefined, error: string) {
    const payload: NotifierWebhookDeadLettered = {
      deliveryId: d.id,
      subscriptionId: d.subscriptionId,
      eventId: d.envelope.id,
      eventType: d.envelope.type,
      invoiceId: d.envelope.aggregateId,
      endpointOrigin: originOf(d.url),
      reason,
      attempts,
      lastHttpStatus: httpStatus,
      lastError: error.slice(0, 500),
      deadAt: new Date().toISOString(),
    };
    return newEnvelope({ type: notifierWebhookDeadLettered.type, version: notifierWebhookDeadLettered.version, aggregateId: d.envelope.aggregateId, tenant: d.tenantId, payload });
  }
}
