import type { Router } from 'express';
import express from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { pendingMigrations } from '../infra/database/database.js';
import type { Metrics } from '../infra/metrics.js';

interface Check {
  ok: boolean;
  error?: string;
}

/** A dependency that has not answered by then counts as down; /readyz must answer promptly. */
const CHECK_TIMEOUT_MS = 1_000;

async function check(run: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is alive. /readyz: it can serve (database answers, Redis answers,
 * no migration pending) and is not shutting down; load balancers route only to ready
 * instances, so it answers 503 "draining" from SIGTERM on. /metrics: Prometheus text format.
 */
export function operationsRouter(orm: MikroORM, redis: Redis, metrics: Metrics, isDraining: () => boolean): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, cache, migrations] = await Promise.all([
      check(() => orm.em.getConnection().execute('select 1')),
      // A connection that is down fails at once rather than waiting in ioredis's offline queue.
      check(() => (redis.status === 'ready' ? redis.ping() : Promise.reject(new Error(`connection is ${redis.status}`)))),
      check(async () => {
        const pending = await pendingMigrations(orm);
        if (pending.length > 0) throw new Error(`pending: ${pending.join(', ')}`);
      }),
    ]);
    const draining = isDraining();
    const healthy = database.ok && cache.ok && migrations.ok;
    const status = draining ? 'draining' : healthy ? 'ready' : 'not ready';
    res.setHeader('Cache-Control', 'no-store');
    res.status(status === 'ready' ? 200 : 503).json({ status, checks: { database, redis: cache, migrations } });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });
  return router;
}
