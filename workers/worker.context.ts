import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../server/config.js';
import type { QueueRegistry } from '../server/infra/queues/queue.registry.js';

/** What a processor may use; built once per worker process and shared by every processor. */
export interface WorkerContext {
  config: Config;
  /** Fork `orm.em` per job: an EntityManager is never shared between jobs. */
  orm: MikroORM;
  /** Plain SQL for infrastructure work (outbox claims and pruning). */
  pool: pg.Pool;
  /** Redis with the deployment's key prefix. */
  redis: Redis;
  /** Producer queues, for processors that hand work on. */
  queues: QueueRegistry;
  log: Logger;
  /** Registers cleanup run when the worker stops (after its consumers have finished). */
  onClose: (close: () => Promise<unknown>) => void;
}
