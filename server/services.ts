import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import type { Metrics } from './infra/metrics.js';
import { type Broadcast } from './infra/pubsub/broadcast.js';
import { ApiKeysService } from './modules/api-keys/api-keys.service.js';
import { AccessTokens } from './modules/auth/access-token.js';
import { AuthService } from './modules/auth/auth.service.js';
import { SessionRevocations } from './modules/auth/session-revocations.js';
import { UsersService } from './modules/users/users.service.js';
import { CreditsRepository } from './modules/credits/credits.repository.js';
import { CreditsService } from './modules/credits/credits.service.js';
import { HoldBatcher } from './modules/credits/hold-batcher.js';
import { GenerationBatches } from './modules/jobs/generation.batches.js';
import { CreditsAdminService } from './modules/credits/credits-admin.service.js';
import { ProviderBalanceService } from './modules/credits/provider-balance.service.js';
import { AuditService } from './modules/admin/audit.service.js';
import { EventSubscriber } from './infra/outbox/event-subscriber.js';
import { JobEvents } from './modules/jobs/job-events.stream.js';
import { JobsService } from './modules/jobs/jobs.service.js';
import { ProjectsService } from './modules/projects/projects.service.js';
import { TracksService } from './modules/tracks/tracks.service.js';
import { WEBHOOK_DUE_CHANNEL, WebhooksService } from './modules/webhooks/webhooks.service.js';
import { systemClock, type Clock } from './core/clock.js';
import { RateLimitsService } from './modules/rate-limits/rate-limits.service.js';
import { rateLimitMetrics } from './modules/rate-limits/rate-limits.metrics.js';

/** The domain services one process shares across requests; built once at start. */
export interface Services {
  users: UsersService;
  auth: AuthService;
  apiKeys: ApiKeysService;
  revocations: SessionRevocations;
  credits: CreditsService;
  creditsRepository: CreditsRepository;
  creditsAdmin: CreditsAdminService;
  providerBalance: ProviderBalanceService;
  audit: AuditService;
  /** Outbox events relayed over Redis, deduplicated; feeds GraphQL subscriptions. */
  events: EventSubscriber;
  jobs: JobsService;
  jobEvents: JobEvents;
  projects: ProjectsService;
  tracks: TracksService;
  webhooks: WebhooksService;
  /** Per-user API budgets (RATE_LIMITS); checked before each signed-in operation. */
  rateLimits: RateLimitsService;
}

export interface Infrastructure {
  config: Config;
  orm: MikroORM;
  redis: Redis;
  subscriber: Redis;
  broadcast: Broadcast;
  log: Logger;
  /** The process's metrics, where it serves them. */
  metrics?: Metrics;
  /** Where time comes from; tests pass a ManualClock. */
  clock?: Clock;
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
  const clock = infra.clock ?? systemClock;
  const batcher = config.ledgerGroupCommit ? new HoldBatcher(() => orm.em.fork()) : undefined;
  const credits = new CreditsService(clock, batcher);
  const providerBalance = new ProviderBalanceService(clock, (alert) => {
    log.warn(alert, 'provider balance is below its threshold');
    infra.metrics?.providerBalanceLowAlerts.inc({ provider: alert.provider });
  });
  const audit = new AuditService();
  const creditsAdmin = new CreditsAdminService(clock, credits, providerBalance, audit);
  const events = new EventSubscriber(broadcast, log);
  const jobs = new JobsService(clock, credits, broadcast, config.ledgerGroupCommit ? new GenerationBatches(orm.em) : undefined);
  const projects = new ProjectsService(clock);
  return {
    users,
    auth,
    apiKeys,
    revocations,
    credits,
    creditsRepository: new CreditsRepository(),
    creditsAdmin,
    providerBalance,
    audit,
    events,
    jobs,
    jobEvents: new JobEvents(broadcast, events),
    projects,
    tracks: new TracksService(clock, projects),
    webhooks: new WebhooksService(config.webhooks, clock, (deliveryId) => broadcast.publish(WEBHOOK_DUE_CHANNEL, deliveryId)),
    rateLimits: new RateLimitsService({
      enabled: config.rateLimits,
      anonymousPerMinute: config.anonymousRateLimit,
      redis: infra.redis,
      fork: () => orm.em.fork(),
      log,
      metrics: infra.metrics ? rateLimitMetrics(infra.metrics.registry) : undefined,
      now: () => clock.now().getTime(),
    }),
  };
}
