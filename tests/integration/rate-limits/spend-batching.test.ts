import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { BudgetStore, type Spent } from '../../../server/modules/rate-limits/rate-limit.script.js';
import { RateLimitsService } from '../../../server/modules/rate-limits/rate-limits.service.js';
import { captureLogs } from '../../support/log-capture.js';
import { freePort, RedisServer } from '../../support/processes.js';

/**
 * BudgetStore group-commits spends per budget key: while one call for a key is in flight, later
 * spends for that key wait and go together in the next script call, applied in arrival order.
 *
 * Outcomes are checked on the shared Redis under this run's prefix. Whatever needs Redis to be
 * observed or held still (script call counts, CLIENT PAUSE) runs on a private redis-server that
 * only this file's connections use: commandstats there count exactly our calls, and a pause there
 * holds nobody else's commands. Pauses are WRITE pauses: they hold every spend script (a script
 * may write) but let `admin` read keys and UNPAUSE (Redis 7.0 holds CLIENT UNPAUSE itself under
 * an ALL pause). A plain disconnect() is not enough to cut a call: Redis still answers what was
 * already on the wire before it sees the connection close.
 */
const EXPIRY_MS = 60_000;
const CLOSED = /Connection is closed/;

const connections: Redis[] = [];
const sharedKeys: string[] = [];
let shared: Redis;
let own: RedisServer;
/** Reads and unpauses the private server; never paused itself, it keeps no key prefix. */
let admin: Redis;

function connect(url: string, keyPrefix: string): Redis {
  // No reconnecting: a test that cuts a connection wants the spends on it to fail, not be resent.
  const connection = new Redis(url, { keyPrefix, retryStrategy: () => null });
  connection.on('error', () => undefined); // cut on purpose by some tests
  connections.push(connection);
  return connection;
}

/** A budget key of the test's own on the shared Redis, deleted after the file. */
function sharedKey(): string {
  const key = randomUUID();
  sharedKeys.push(key);
  return key;
}

beforeAll(async () => {
  shared = connect(inject('redisUrl'), `${inject('redisPrefix')}spend-batching:`);
  own = new RedisServer(await freePort());
  await own.start();
  admin = connect(own.url, '');
});
afterEach(async () => {
  // A failed test must not leave the private server paused for the next one.
  await admin.call('CLIENT', 'UNPAUSE');
});
afterAll(async () => {
  if (sharedKeys.length > 0) await shared.del(...sharedKeys);
  for (const connection of connections) connection.disconnect();
  await own?.stop();
});

/** `count` spends issued at once (in one tick, so all but the first arrive while it is in flight). */
function burst(store: BudgetStore, key: string, count: number, cost: number, limit: number): Array<Promise<Spent>> {
  return Array.from({ length: count }, () => store.spend(key, cost, limit, EXPIRY_MS));
}

/** Settles every promise, or fails saying how many never settled: a hang reads as that, not as a test timeout. */
async function settleWithin<T>(promises: Array<Promise<T>>, ms = 5_000): Promise<Array<PromiseSettledResult<T>>> {
  let pending = promises.length;
  for (const promise of promises) promise.then(() => pending--, () => pending--);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${pending} of ${promises.length} promises never settled`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Script runs the private server has executed (EVAL and EVALSHA; a NOSCRIPT answer runs nothing). */
async function scriptRuns(): Promise<number> {
  const stats = await admin.info('commandstats');
  let runs = 0;
  for (const [, calls, failed] of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+),.*failed_calls=(\d+)/gm)) runs += Number(calls) - Number(failed);
  return runs;
}

describe('Spending one budget at once', () => {
  it('admits exactly 33 of 60 concurrent 3-point spends against 100, each admitted one seeing its own total', async () => {
    const key = sharedKey();
    const store = new BudgetStore(shared);
    const spends = burst(store, key, 60, 3, 100);
    await spends[0];
    const ttlAfterFirst = await shared.pttl(key);
    const spent = await Promise.all(spends);

    const admitted = spent.filter((s) => s.admitted);
    const refused = spent.filter((s) => !s.admitted);
    expect(admitted).toHaveLength(33);
    expect(admitted.map((s) => s.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 33 }, (_, i) => 3 * (i + 1)));
    // In arrival order: the first 33 to arrive are the ones that fit.
    expect(spent.slice(0, 33).every((s) => s.admitted)).toBe(true);
    for (const s of refused) expect(s.used).toBeLessThanOrEqual(99);
    // Refused spends spent nothing, and the window key expires.
    expect(await shared.get(key)).toBe('99');
    expect(ttlAfterFirst).toBeGreaterThan(0);
    expect(ttlAfterFirst).toBeLessThanOrEqual(EXPIRY_MS);
    expect(await shared.pttl(key)).toBeGreaterThan(0);
  });

  it('refuses a big spend without blocking a later small one that fits (6, 6, 3 against 10)', async () => {
    const key = sharedKey();
    const store = new BudgetStore(shared);
    const spent = await Promise.all([6, 6, 3].map((cost) => store.spend(key, cost, 10, EXPIRY_MS)));
    expect(spent).toEqual([
      { admitted: true, used: 6 },
      { admitted: false, used: 6 },
      { admitted: true, used: 9 },
    ]);
    expect(await shared.get(key)).toBe('9');
  });

  it('sends a burst of 60 spends to Redis in 2 script calls, not 60', async () => {
    const connection = connect(own.url, 'count:');
    const store = new BudgetStore(connection);
    await connection.ping();
    const before = await scriptRuns();
    const spent = await Promise.all(burst(store, 'k', 60, 1, 1_000));
    const runs = (await scriptRuns()) - before;

    expect(spent.map((s) => s.used)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // The first spend goes at once, alone; the 59 that arrive while it is in flight go together next.
    expect(runs).toBeLessThan(60);
    expect(runs).toBe(2);
  });
});

describe('Spending different budgets', () => {
  it("spends another key's budget at once while one key has a call in flight and spends waiting, keeping separate totals", async () => {
    const connection = connect(own.url, 'keys:');
    const store = new BudgetStore(connection);
    await connection.ping();
    const a = burst(store, 'a', 5, 3, 10);
    let laterASettled = false;
    void Promise.allSettled(a.slice(1)).then(() => (laterASettled = true));
    const b = store.spend('b', 2, 10, EXPIRY_MS);
    // Writes pause from here on. B's spend is already on the wire only if it did not queue behind
    // A's call; A's four waiting spends are sent when A's first call answers, and are held.
    await connection.call('CLIENT', 'PAUSE', '30000', 'WRITE');

    const [bAnswer] = await settleWithin([b]);
    expect(bAnswer).toEqual({ status: 'fulfilled', value: { admitted: true, used: 2 } });
    expect(await admin.get('keys:b')).toBe('2');
    expect(await admin.get('keys:a')).toBe('3');
    expect(laterASettled).toBe(false);

    await admin.call('CLIENT', 'UNPAUSE');
    expect(await Promise.all(a)).toEqual([
      { admitted: true, used: 3 },
      { admitted: true, used: 6 },
      { admitted: true, used: 9 },
      { admitted: false, used: 9 },
      { admitted: false, used: 9 },
    ]);
    expect((await Promise.all(burst(store, 'b', 4, 2, 10))).map((s) => s.used)).toEqual([4, 6, 8, 10]);
    expect([await admin.get('keys:a'), await admin.get('keys:b')]).toEqual(['9', '10']);
  });
});

describe('Connection lost', () => {
  it('rejects every spend when the connection drops before the first call is answered, and the key spends again once reconnected', async () => {
    const connection = connect(own.url, 'cut-first:');
    const store = new BudgetStore(connection);
    // Redis holds every spend from here on (this connection's too), so none is answered before the cut.
    await connection.call('CLIENT', 'PAUSE', '30000', 'WRITE');
    const spends = burst(store, 'k', 60, 3, 100);
    connection.disconnect();

    const settled = await settleWithin(spends);
    expect(settled.map((s) => s.status)).toEqual(Array(60).fill('rejected'));
    for (const s of settled) expect(String((s as PromiseRejectedResult).reason)).toMatch(CLOSED);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await admin.exists('cut-first:k')).toBe(0);

    // Nothing is left queued for the key: the next spend goes and is answered.
    await connection.connect();
    const [again] = await settleWithin([store.spend('k', 3, 100, EXPIRY_MS)]);
    expect(again).toEqual({ status: 'fulfilled', value: { admitted: true, used: 3 } });
  });

  it('rejects every spend of the batch in flight when the connection drops, after the first spend was answered', async () => {
    const connection = connect(own.url, 'cut-batch:');
    const store = new BudgetStore(connection);
    await connection.ping();
    const first = store.spend('k', 3, 100, EXPIRY_MS);
    // On the same connection, after the first call: Redis answers it, then holds the batch that follows.
    const paused = connection.call('CLIENT', 'PAUSE', '30000', 'WRITE').catch(() => 'cut');
    const queued = burst(store, 'k', 59, 3, 100);
    const cut = first.then(() => connection.disconnect());

    expect(await first).toEqual({ admitted: true, used: 3 });
    await cut;
    const settled = await settleWithin(queued);
    expect(settled.map((s) => s.status)).toEqual(Array(59).fill('rejected'));
    for (const s of settled) expect(String((s as PromiseRejectedResult).reason)).toMatch(CLOSED);
    await paused;
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await admin.get('cut-batch:k')).toBe('3');

    await connection.connect();
    const [again] = await settleWithin([store.spend('k', 3, 100, EXPIRY_MS)]);
    expect(again).toEqual({ status: 'fulfilled', value: { admitted: true, used: 6 } });
  });

  it('serves every operation of the cut batch unchecked (fail open) and warns once', async () => {
    const connection = connect(own.url, 'service:');
    const { log, lines } = captureLogs('warn', 'spend-batching');
    const limits = new RateLimitsService({
      enabled: true,
      redis: connection,
      fork: () => {
        throw new Error('budgets without credentials read no database');
      },
      log,
      anonymousPerMinute: 100,
      // Mid-minute, so the burst cannot straddle two windows.
      now: () => Date.UTC(2030, 0, 1, 0, 0, 30),
    });
    await connection.ping();
    const address = '198.51.100.7';
    const first = limits.admitAnonymous(address, 1);
    const paused = connection.call('CLIENT', 'PAUSE', '30000', 'WRITE').catch(() => 'cut');
    const rest = Array.from({ length: 59 }, () => limits.admitAnonymous(address, 1));
    const cut = first.then(() => connection.disconnect());

    expect(await first).toMatchObject({ outcome: 'admitted', state: { limit: 100, used: 1, remaining: 99 } });
    await cut;
    const settled = await settleWithin(rest);
    expect(settled).toEqual(Array(59).fill({ status: 'fulfilled', value: { outcome: 'unchecked' } }));
    // While Redis is away, operations do not even try.
    expect(await limits.admitAnonymous(address, 1)).toEqual({ outcome: 'unchecked' });
    expect(lines().filter((line) => /cannot be checked/.test(line.msg ?? ''))).toHaveLength(1);
    await paused;
  });
});
