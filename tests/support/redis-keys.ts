import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix` (a test or bench run's queues, streams, limiter windows and
 * progress ticks) and returns how many, a batch per SCAN step so that a large run never blocks
 * Redis for long.
 */
export async function deleteKeysUnder(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return deleted;
}
