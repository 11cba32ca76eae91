import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection whose keys carry the deployment prefix. Pub/sub channels are prefixed
 * by the callers through `channel()`, because ioredis does not prefix them.
 */
export function createRedis(url: string, prefix: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { keyPrefix: prefix, lazyConnect: false, maxRetriesPerRequest: 3, ...options });
}

/** The connection options BullMQ needs: no prefix (BullMQ has its own) and blocking allowed. */
export function bullConnection(url: string): RedisOptions & { url: string } {
  return { url, maxRetriesPerRequest: null };
}
