import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

type Listener = (message: string) => void;
/** Told, after the subscriber reconnects, since when messages may have been missed. */
type ResubscribedListener = (missedSince: Date) => void;

/**
 * Fan-out of small messages to every API and worker process over Redis pub/sub, e.g. "API key
 * k was revoked, drop it from your cache". Delivery is best effort: a process that misses a
 * message must be able to recover by itself (caches have a TTL).
 */
export class Broadcast {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly resubscribedListeners = new Set<ResubscribedListener>();
  private connectedOnce: boolean;
  private lostAt: Date | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.connectedOnce = subscriber.status === 'ready';
    // ioredis resubscribes by itself after a reconnect, but what was published meanwhile is
    // gone: listeners are told so they can catch up from the database.
    subscriber.on('close', () => {
      this.lostAt ??= new Date();
    });
    subscriber.on('ready', () => {
      const missedSince = this.lostAt;
      this.lostAt = null;
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        return;
      }
      if (!missedSince) return;
      for (const listener of this.resubscribedListeners) {
        try {
          listener(missedSince);
        } catch (error) {
          this.log.error({ err: error }, 'broadcast catch-up failed');
        }
      }
    });
    subscriber.on('message', (channel: string, message: string) => {
      const local = this.listeners.get(channel);
      if (!local) return;
      for (const listener of local) {
        try {
          listener(message);
        } catch (error) {
          this.log.error({ err: error, channel }, 'broadcast listener failed');
        }
      }
    });
  }

  /** Calls `listener` after each reconnect of the subscriber, with when the connection was lost. */
  onResubscribed(listener: ResubscribedListener): () => void {
    this.resubscribedListeners.add(listener);
    return () => this.resubscribedListeners.delete(listener);
  }

  /**
   * The Redis channel of `name`, under this deployment's prefix. Keys need no such step: the
   * client's keyPrefix applies to keys, but ioredis leaves pub/sub channels as they are.
   */
  channel(name: string): string {
    return `${this.prefix}${name}`;
  }

  async publish(name: string, message: string): Promise<void> {
    await this.publisher.publish(this.channel(name), message);
  }

  /**
   * Publishes `message` and keeps `kept` (the message itself by default; the latest part of a
   * message that carries several) under `key` for `ttlMs`, so that a listener arriving late can
   * start from the latest state instead of waiting for the next. The value is stored before the
   * message goes out (one pipeline, in order), so whoever heard it can read it.
   */
  async publishLatest(name: string, key: string, message: string, ttlMs: number, kept = message): Promise<void> {
    const replies = await this.publisher.pipeline().set(key, kept, 'PX', ttlMs).publish(this.channel(name), message).exec();
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** The message last kept under `key` by publishLatest, if it has not expired. */
  latest(key: string): Promise<string | null> {
    return this.publisher.get(key);
  }

  async on(name: string, listener: Listener): Promise<() => Promise<void>> {
    const channel = this.channel(name);
    let local = this.listeners.get(channel);
    if (!local) {
      local = new Set();
      this.listeners.set(channel, local);
      await this.subscriber.subscribe(channel);
    }
    local.add(listener);
    return async () => {
      local.delete(listener);
      if (local.size === 0) {
        this.listeners.delete(channel);
        // A connection already closed (shutdown, outage) holds no subscription to drop.
        await this.subscriber.unsubscribe(channel).catch((error: unknown) => this.log.debug({ err: error, channel }, 'unsubscribe skipped'));
      }
    };
  }
}
