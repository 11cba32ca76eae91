import type { Logger } from 'pino';
import type { Broadcast } from '../pubsub/broadcast.js';
import { parseEnvelope, topicChannel, type OutboxEnvelope } from './outbox.envelope.js';
import { RecentIds } from './recent-ids.js';
import { createPushStream } from '../pubsub/push-stream.js';

export type EnvelopeListener = (envelope: OutboxEnvelope) => void;

export interface EventSubscriberOptions {
  /** How many recent event ids are remembered to drop re-deliveries. Default 10 000. */
  dedupeWindow?: number;
}

export interface StreamOptions {
  /** Only envelopes this accepts are yielded (e.g. the viewer's own events). */
  filter?: (envelope: OutboxEnvelope) => boolean;
  /** Envelopes held for a slow consumer before the oldest are dropped. Default 1 000. */
  bufferSize?: number;
}

/**
 * The API side of the outbox: receives the envelopes the relay publishes on Redis and hands each
 * to this process's listeners once. The relay delivers at least once (a relay that dies between
 * publishing and marking publishes again), so envelopes are deduplicated by event id here, before
 * any listener sees them.
 */
export class EventSubscriber {
  private readonly seen: RecentIds;
  private readonly listeners = new Map<string, Set<EnvelopeListener>>();
  private readonly subscriptions = new Map<string, Promise<() => Promise<void>>>();
  /** Re-deliveries dropped so far (for metrics and tests). */
  duplicatesDropped = 0;

  constructor(
    private readonly broadcast: Broadcast,
    private readonly log: Logger,
    options: EventSubscriberOptions = {},
  ) {
    this.seen = new RecentIds(options.dedupeWindow ?? 10_000);
  }

  /** Calls `listener` with each new event of `topic`; resolves once Redis has the subscription. */
  async on(topic: string, listener: EnvelopeListener): Promise<() => Promise<void>> {
    let local = this.listeners.get(topic);
    if (!local) {
      local = new Set();
      this.listeners.set(topic, local);
    }
    local.add(listener);
    // One Redis subscription per topic, shared by its listeners, so each envelope is deduplicated
    // once and then fanned out (per-listener dedupe would hide it from all but the first).
    let subscription = this.subscriptions.get(topic);
    if (!subscription) {
      subscription = this.broadcast.on(topicChannel(topic), (message) => this.deliver(topic, message));
      this.subscriptions.set(topic, subscription);
    }
    try {
      await subscription;
    } catch (error) {
      local.delete(listener);
      if (this.subscriptions.get(topic) === subscription) this.subscriptions.delete(topic);
      throw error;
    }
    return async () => {
      local.delete(listener);
      if (local.size > 0 || this.listeners.get(topic) !== local) return;
      this.listeners.delete(topic);
      const unsubscribe = this.subscriptions.get(topic);
      this.subscriptions.delete(topic);
      if (unsubscribe) await (await unsubscribe)();
    };
  }

  /**
   * The events of `topic` as an async iterable, for GraphQL subscriptions: it subscribes when
   * iteration starts and unsubscribes when the consumer stops (`return()`).
   */
  stream(topic: string, options: StreamOptions = {}): AsyncIterableIterator<OutboxEnvelope> {
    return createPushStream<OutboxEnvelope>(
      (push) =>
        this.on(topic, (envelope) => {
          if (!options.filter || options.filter(envelope)) push(envelope);
        }),
      { bufferSize: options.bufferSize, onOverflow: () => this.log.warn({ topic }, 'event stream consumer too slow; oldest event dropped') },
    );
  }

  private deliver(topic: string, message: string): void {
    const envelope = parseEnvelope(message);
    if (!envelope || envelope.topic !== topic) {
      this.log.warn({ topic }, 'ignored a malformed outbox envelope');
      return;
    }
    if (!this.seen.add(envelope.id)) {
      this.duplicatesDropped += 1;
      return;
    }
    for (const listener of this.listeners.get(topic) ?? []) {
      try {
        listener(envelope);
      } catch (error) {
        this.log.error({ err: error, topic, eventId: envelope.id }, 'outbox event listener failed');
      }
    }
  }
}
