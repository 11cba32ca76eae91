import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../server/core/clock.js';
import type { MikroORM } from '../../server/infra/database/database.js';
import { createLogger } from '../../server/infra/logger.js';
import { Broadcast } from '../../server/infra/pubsub/broadcast.js';
import { createRedis } from '../../server/infra/redis/redis.js';
import { LocalStorage } from '../../server/infra/storage/local.storage.js';
import { ProviderBalanceService } from '../../server/modules/credits/provider-balance.service.js';
import { createLocalProvider } from '../../server/modules/generation/providers/local.provider.js';
import type { GenerationDeps } from '../../workers/generation/generation.deps.js';
import { testConfig } from './api.js';
import { openTestDatabase } from './database.js';

export interface GenerationRig {
  orm: MikroORM;
  /** What a worker process gives runGenerationAttempt: the local provider and storage in a temp directory, unless overridden. */
  deps: GenerationDeps;
  /** Where the default storage writes. */
  storageDir: string;
  close: () => Promise<void>;
}

/**
 * The generation worker's dependencies in this process, for tests that run one attempt at a
 * time (runGenerationAttempt) against the run's database and Redis. `label` names the temp
 * directory and the log.
 */
export async function openGenerationRig(label: string, overrides: Partial<Pick<GenerationDeps, 'provider' | 'storage'>> = {}): Promise<GenerationRig> {
  const orm = await openTestDatabase();
  const storageDir = await mkdtemp(join(tmpdir(), `mv-${label}-`));
  const config = testConfig();
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  const subscriber = redis.duplicate();
  const log = createLogger('silent', label);
  const deps: GenerationDeps = {
    orm,
    provider: overrides.provider ?? createLocalProvider(),
    storage: overrides.storage ?? new LocalStorage(storageDir),
    broadcast: new Broadcast(redis, subscriber, config.redisPrefix, log),
    providerBalance: new ProviderBalanceService(systemClock, () => undefined),
    log,
  };
  return {
    orm,
    deps,
    storageDir,
    close: async () => {
      await Promise.all([redis.quit(), subscriber.quit()]);
      await orm.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
