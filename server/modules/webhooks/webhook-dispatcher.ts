import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import { DomainError } from '../../core/errors.js';
import { toGlobalId } from '../../core/global-id.js';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { isWebhookEventType, TEST_EVENT_TYPE } from './webhook-event-types.js';
import { openSecret } from './webhook-secret-box.js';
import { postWebhook, type SendOutcome } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';
import { parseWebhookUrl, resolveWebhookTarget, type Resolver } from './webhook-target.js';
import { DISABLE_AFTER_CONSECUTIVE_FAILURES, type WebhookSettings } from './webhook.settings.js';
import { recordFailedDelivery, recordSucceededDelivery } from './webhook-endpoint.health.js';
import { endpointTakes } from './webhook-endpoints.sql.js';

/** A delivery whose next try should be queued, and when. */
export interface DueDelivery {
  id: string;
  /** The number of the next try (tries so far + 1). */
  attempt: number;
  at: Date;
}

/** An event as the relay hands it to the webhooks queue. */
export interface WebhookEventEnvelope {
  id: string;
  userId: string | null;
  createdAt: string;
  payload: { type?: unknown; data?: unknown };
}

/** How long a claimed try keeps the sweep away from its row, beyond the request timeout. */
const LEASE_MARGIN_MS = 30_000;

const FAN_OUT = `insert into webhook_deliveries (id, endpoint_id, event_id, event_type, event_created_at, payload, status, attempts, next_attempt_at, attempt_log, created_at, updated_at)
  select gen_random_uuid(), e.id, ?, ?, ?, ?::jsonb, 'PENDING', 0, ?, '[]'::jsonb, ?, ?
  from webhook_endpoints e
  where e.user_id = ? and ${endpointTakes('e', '?')}
  on conflict (endpoint_id, event_id) where redelivery_of is null do nothing`;

interface DueRow {
  id: string;
  attempts: number;
  next_attempt_at: Date;
}

const toDue = (row: DueRow): DueDelivery => ({ id: row.id, attempt: row.attempts + 1, at: new Date(row.next_attempt_at) });

/**
 * The worker's side of webhooks: fan an event out to the endpoints subscribed to it, and make
 * one try at a delivery. Queue jobs only say "look at this row"; every decision is taken from the
 * row, so a job run twice or a job lost with Redis changes nothing.
 */
export class WebhookDispatcher {
  constructor(
    private readonly settings: WebhookSettings,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    private readonly resolver?: Resolver,
  ) {}

  /** One PENDING delivery per subscribed, enabled endpoint (once per event), answered for queuing. */
  async fanOut(em: EntityManager, event: WebhookEventEnvelope): Promise<DueDelivery[]> {
    const type = event.payload.type;
    if (!event.userId || typeof type !== 'string' || !isWebhookEventType(type)) return [];
    const now = this.clock.now();
    const data = typeof event.payload.data === 'object' && event.payload.data !== null ? event.payload.data : {};
    await em.execute(FAN_OUT, [event.id, type, new Date(event.createdAt), JSON.stringify(data), now, now, now, event.userId, type]);
    const rows = await em.execute<DueRow[]>(`select id, attempts, next_attempt_at from webhook_deliveries where event_id = ? and status = 'PENDING'`, [event.id]);
    return rows.map(toDue);
  }

  /** PENDING deliveries whose next try is overdue (lost jobs, nudges that never came). */
  async due(em: EntityManager, limit = 500): Promise<DueDelivery[]> {
    const rows = await em.execute<DueRow[]>(`select id, attempts, next_attempt_at from webhook_deliveries where status = 'PENDING' and next_attempt_at <= ? order by next_attempt_at limit ?`, [this.clock.now(), limit]);
    return rows.map(toDue);
  }

  /** The next try of one delivery, if it is still PENDING. */
  async pending(em: EntityManager, deliveryId: string): Promise<DueDelivery | null> {
    const rows = await em.execute<DueRow[]>(`select id, attempts, next_attempt_at from webhook_deliveries where id = ? and status = 'PENDING'`, [deliveryId]);
    return rows[0] ? toDue(rows[0]) : null;
  }

  /**
   * Try number `attempt` of a delivery. Only the try the row expects runs (a stale or duplicate
   * job finds nothing to claim). Answers the next try to queue, or null when the delivery ended.
   */
  async attempt(em: EntityManager, deliveryId: string, attempt: number): Promise<DueDelivery | null> {
    const leaseUntil = new Date(this.clock.now().getTime() + this.settings.timeoutMs + LEASE_MARGIN_MS);
    const claimed = await em.execute<Array<{ id: string }>>(
      `update webhook_deliveries set next_attempt_at = ? where id = ? and status = 'PENDING' and attempts = ? returning id`,
      [leaseUntil, deliveryId, attempt - 1],
    );
    if (claimed.length === 0) return null;
    const delivery = await em.findOneOrFail(WebhookDelivery, { id: deliveryId }, { populate: ['endpoint'] });
    const endpoint = delivery.endpoint.getEntity();
    // Ordinary events stop at a disabled endpoint; a test or a redelivery was asked for by hand.
    if (!endpoint.enabled && delivery.eventType !== TEST_EVENT_TYPE && !delivery.redeliveryOf) {
      return this.record(em, delivery, attempt, { status: null, ok: false, error: 'the webhook is disabled', durationMs: 0 }, true);
    }
    const outcome = await this.send(delivery, openSecret(this.settings.encryptionKey, endpoint.id, endpoint.secretCiphertext));
    return this.record(em, delivery, attempt, outcome, false);
  }

  private async send(delivery: WebhookDelivery, secret: string): Promise<SendOutcome> {
    const endpoint = delivery.endpoint.getEntity();
    try {
      const url = parseWebhookUrl(endpoint.url, this.settings);
      // Checked again now: the name may point elsewhere than when the webhook was saved.
      const target = await resolveWebhookTarget(url, this.settings, this.resolver);
      const body = JSON.stringify({ id: delivery.eventId, type: delivery.eventType, createdAt: delivery.eventCreatedAt.toISOString(), data: delivery.payload });
      // The delivery's global id: stable across retries, and what node(id) looks it up by.
      const headers = signWebhook(secret, toGlobalId('WebhookDelivery', delivery.id), body, this.clock.now());
      return await postWebhook(url, target, { ...headers }, body, this.settings.timeoutMs);
    } catch (error) {
      if (error instanceof DomainError) return { status: null, ok: false, error: error.message, durationMs: 0 };
      throw error;
    }
  }

  /** Writes the try to the row and the endpoint's failure run; `skipped`: nothing was sent. */
  private async record(em: EntityManager, delivery: WebhookDelivery, attempt: number, outcome: SendOutcome, skipped: boolean): Promise<DueDelivery | null> {
    const now = this.clock.now();
    const endpointId = delivery.endpoint.id;
    const ended = outcome.ok || skipped || attempt >= this.settings.maxAttempts;
    // 30 s, 1 min, 2 min... with the default base.
    const next = ended ? null : { id: delivery.id, attempt: attempt + 1, at: new Date(now.getTime() + this.settings.retryBaseMs * 2 ** (attempt - 1)) };
    const entry = { number: attempt, at: new Date(now.getTime() - outcome.durationMs).toISOString(), responseStatus: outcome.status, error: outcome.error, durationMs: outcome.durationMs };
    const status = !ended ? WebhookDeliveryStatus.PENDING : outcome.ok ? WebhookDeliveryStatus.SUCCEEDED : WebhookDeliveryStatus.FAILED;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(
        WebhookDelivery,
        { id: delivery.id },
        {
          attempts: attempt,
          attemptLog: [...delivery.attemptLog, entry],
          lastResponseStatus: outcome.status,
          lastError: outcome.error,
          durationMs: outcome.durationMs,
          status,
          nextAttemptAt: next?.at ?? null,
          completedAt: ended ? now : null,
          updatedAt: now,
        },
      );
      if (outcome.ok) await recordSucceededDelivery(tx, endpointId);
      else if (ended && !skipped && (await recordFailedDelivery(tx, endpointId, DISABLE_AFTER_CONSECUTIVE_FAILURES, now))) {
        this.log.warn({ endpointId }, 'webhook disabled after consecutive failed deliveries');
      }
    });
    this.log.info({ deliveryId: delivery.id, endpointId, attempt, status: outcome.status, ok: outcome.ok, durationMs: outcome.durationMs }, 'webhook delivery attempt');
    return next;
  }
}
