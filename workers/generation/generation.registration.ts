import type { Processor } from 'bullmq';
import { Broadcast } from '../../server/infra/pubsub/broadcast.js';
import { systemClock } from '../../server/core/clock.js';
import { ProviderBalanceService } from '../../server/modules/credits/provider-balance.service.js';
import { createStorage } from '../../server/infra/storage/storage.factory.js';
import { providerFor } from '../../server/modules/generation/providers/provider.factory.js';
import type { WorkerContext } from '../worker.context.js';
import { generationFinishes } from './generation.finishes.js';
import { generationProcessor } from './generation.processor.js';

/** Builds the generation processor's dependencies from the worker's configuration. */
export async function createGenerationProcessor(ctx: WorkerContext): Promise<Processor> {
  const subscriber = ctx.redis.duplicate();
  subscriber.on('error', (error: Error) => ctx.log.warn({ err: error }, 'generation subscriber redis error'));
  ctx.onClose(() => subscriber.quit().catch(() => subscriber.disconnect()));
  return generationProcessor({
    orm: ctx.orm,
    provider: providerFor({ ...ctx.config.provider, suno: { ...ctx.config.provider.suno, logger: ctx.log.child({ provider: 'suno' }) } }),
    storage: await createStorage({ dir: ctx.config.storageDir, s3: ctx.config.s3 }),
    broadcast: new Broadcast(ctx.redis, subscriber, ctx.config.redisPrefix, ctx.log),
    providerBalance: new ProviderBalanceService(systemClock, (alert) => ctx.log.warn(alert, 'provider balance is below its threshold')),
    log: ctx.log.child({ queue: 'generation' }),
    finishes: ctx.config.ledgerGroupCommit ? generationFinishes(ctx.orm.em) : undefined,
  });
}
