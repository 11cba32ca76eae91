import type { Logger } from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ObjectStorage } from '../../server/infra/storage/storage.js';
import type { Broadcast } from '../../server/infra/pubsub/broadcast.js';
import type { MusicProvider } from '../../server/modules/generation/providers/provider.js';
import type { ProviderBalanceService } from '../../server/modules/credits/provider-balance.service.js';
import type { GenerationFinishes } from './generation.finishes.js';

/** What the generation processor needs; built once per worker process. */
export interface GenerationDeps {
  orm: MikroORM;
  provider: MusicProvider;
  storage: ObjectStorage;
  /** Progress ticks out, cancellation requests in. */
  broadcast: Broadcast;
  /** Where each job's provider cost is spent from. */
  providerBalance: ProviderBalanceService;
  log: Logger;
  /** Group commit of job successes; without it each success is its own statement. */
  finishes?: GenerationFinishes;
}
