import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import { type Broadcast } from './infra/pubsub/broadcast.js';
import { ApiKeysService } from './modules/api-keys/api-keys.service.js';
import { AccessTokens } from './modules/auth/access-token.js';
import { AuthService } from './modules/auth/auth.service.js';
import { SessionRevocations } from './modules/auth/session-revocations.js';
import { UsersService } from './modules/users/users.service.js';

/** The domain services one process shares across requests; built once at start. */
export interface Services {
  users: UsersService;
  auth: AuthService;
  apiKeys: ApiKeysService;
  revocations: SessionRevocations;
}

export interface Infrastructure {
  config: Config;
  orm: MikroORM;
  redis: Redis;
  subscriber: Redis;
  broadcast: Broadcast;
  log: Logger;
}

export async function createServices(infra: Infrastructure): Promise<Services> {
  const { config, orm, broadcast, log } = infra;
  const users = new UsersService(config.adminTelegramIds);
  const revocations = new SessionRevocations(broadcast);
  const auth = new AuthService(
    { botToken: config.telegramBotToken, initDataMaxAgeSeconds: config.initDataMaxAgeSeconds },
    new AccessTokens(config.jwtSecret),
    revocations,
    users,
  );
  const apiKeys = new ApiKeysService(broadcast, () => orm.em.fork(), log);
  await revocations.start(orm.em.fork());
  await apiKeys.start();
  return { users, auth, apiKeys, revocations };
}
