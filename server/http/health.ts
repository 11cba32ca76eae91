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

async function check(run: () => Promise<unknown>): Promise<Check> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * /healthz: the process is alive. /readyz: it can serve (database answers, Redis answers,
 * no migration pending); load balancers route only to ready instances. /metrics: Prometheus.
 */
export function operationsRouter(orm: MikroORM, redis: Redis, metrics: Metrics, isDraining: () => boolean): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, cache, migrations] = await Promise.all([
      check(() => orm.em.getConnection().execute('select 1')),
      check(() => redis.ping()),
      check(async () => {
        const pending = await pendingMigrations(orm);
        if (pending.length > 0) throw new Error(`pending: ${pending.join(', ')}`);
      }),
    ]);
    const draining = isDraining();
    const ready = database.ok && cache.ok && migrations.ok && !draining;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', draining, checks: { database, redis: cache, migrations } });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });
  return router;
}
