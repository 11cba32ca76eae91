import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { s3OptionsFromEnv, StorageSettingsError } from './infra/storage/storage.factory.js';
import type { S3StorageOptions } from './infra/storage/s3.storage.js';
import type { ProviderConfig } from './modules/generation/providers/provider.factory.js';
import { webhookSettingsFromEnv, WebhookSettingsError, type WebhookSettings } from './modules/webhooks/webhook.settings.js';
/**
 * Process configuration, read once from the environment.
 * A bad value fails at start with one line that names the variable and what it expects.
 */
export interface Config {
  /** HTTP and WebSocket port. Default 4000. */
  port: number;
  /** PostgreSQL connection string. */
  databaseUrl: string;
  /** Redis connection string. */
  redisUrl: string;
  /** Prefix for every Redis key and channel, so several deployments (or test runs) share one Redis. */
  redisPrefix: string;
  /** Base URL users reach the API at; printed at start and used in links. */
  publicUrl: string;
  /** HMAC secret for session access tokens (HS256). */
  jwtSecret: string;
  /** Telegram bot token; initData is signed with a key derived from it. */
  telegramBotToken: string;
  /** Base URL of the Telegram Bot API (a local fake in tests). */
  telegramApiBase: string;
  /** Telegram user ids that are admins. */
  adminTelegramIds: ReadonlySet<string>;
  /** initData older than this is refused. Default 24 h. */
  initDataMaxAgeSeconds: number;
  /** Enables `devSignIn` for local use. Never set in production. */
  devLogin: boolean;
  /**
   * The built Mini App served at /app (MINI_APP_DIR, default client/dist of the repository;
   * a relative path is taken from the repository root).
   */
  miniAppDir: string;
  /** Directory for audio and covers when no S3 settings are given. */
  storageDir: string;
  /** S3-compatible bucket for audio and covers (S3_BUCKET and friends); local directory when absent. */
  s3?: S3StorageOptions;
  /** The music provider the worker calls (PROVIDER: local | suno) and its settings. */
  provider: ProviderConfig;
  /**
   * Generation jobs one worker process runs at once (GENERATION_CONCURRENCY, default 16). A job's
   * time in the worker is mostly waits on PostgreSQL, Redis, the disk or the provider, so many
   * overlap: on two cores with the local provider, 16 kept the cores busier than 8, and 32 was no
   * better (npm run bench:jobs).
   */
  generationConcurrency: number;
  /**
   * How long a worker's claim on a job lasts without renewal (WORKER_LOCK_MS, default 30000). A
   * worker that dies (SIGKILL, lost machine) stops renewing; after about this long another worker
   * takes the job over. It is also how often stalled jobs are looked for.
   */
  workerLockMs: number;
  /** Operation limits checked before execution. */
  limits: { maxDepth: number; maxCost: number };
  /**
   * GraphQL over HTTP executes compiled operations (graphql-jit) where they answer exactly as
   * graphql-js does (see compiled-execution.ts). GRAPHQL_JIT=off runs everything on graphql-js.
   * Default on.
   */
  graphqlJit: boolean;
  /**
   * Graceful shutdown on SIGTERM: /readyz answers 503 "draining" for `delayMs` while requests are
   * still served (so a load balancer stops routing here), then the listener closes, WebSockets
   * are closed with 1001 and in-flight requests get up to `timeoutMs` to finish.
   * SHUTDOWN_DELAY_MS defaults to 5000 in production and 0 elsewhere; SHUTDOWN_TIMEOUT_MS to 10000.
   */
  shutdown: { delayMs: number; timeoutMs: number };
  /**
   * Group commit: concurrent holds on one account share one statement, and so do concurrent
   * generateTrack placements of any users. LEDGER_GROUP_COMMIT=0 turns it off (each hold and
   * each placement its own statement). Default on.
   */
  ledgerGroupCommit: boolean;
  /** Webhook delivery: encryption key, allowed hosts, retries, timeout (see webhook.settings.ts). */
  webhooks: WebhookSettings;
  /**
   * Per-user API rate limits (RATE_LIMITS: on | off, default on): each signed-in user's
   * operations spend points from a one-minute budget set by their tier (tier_plans).
   */
  rateLimits: boolean;
  /**
   * Points per minute for operations without credentials (signing in, refreshing a session),
   * per client address (RATE_LIMIT_ANONYMOUS_PER_MINUTE, default 60); only while RATE_LIMITS is on.
   */
  anonymousRateLimit: number;
  /** `production` masks more and refuses DEV_LOGIN. */
  nodeEnv: string;
  /** pino level: fatal, error, warn, info (default), debug, trace or silent (default under test). */
  logLevel: string;
}

function s3Settings(env: Env): S3StorageOptions | undefined {
  try {
    return s3OptionsFromEnv(env);
  } catch (error) {
    if (error instanceof StorageSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function webhookSettings(env: Env, production: boolean, jwtSecret: string): WebhookSettings {
  try {
    return webhookSettingsFromEnv(env, { production, jwtSecret });
  } catch (error) {
    if (error instanceof WebhookSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function providerSettings(env: Env): ProviderConfig {
  const provider = env.PROVIDER || 'local';
  if (provider !== 'local' && provider !== 'suno') throw new ConfigError(`PROVIDER must be local or suno, got "${provider}"`);
  if (provider === 'suno' && (!env.PROVIDER_BASE_URL || !env.PROVIDER_API_KEY)) {
    throw new ConfigError('PROVIDER=suno needs PROVIDER_BASE_URL and PROVIDER_API_KEY');
  }
  const speed = env.PROVIDER_LOCAL_SPEED || 'full';
  const localSpeed = speed === 'full' ? 'full' : Number(speed);
  if (localSpeed !== 'full' && (!Number.isFinite(localSpeed) || localSpeed <= 0)) {
    throw new ConfigError(`PROVIDER_LOCAL_SPEED must be "full" or a positive multiple of real time, got "${speed}"`);
  }
  return {
    provider,
    baseUrl: provider === 'suno' ? url(env, 'PROVIDER_BASE_URL', '', ['http:', 'https:']) : undefined,
    apiKey: env.PROVIDER_API_KEY,
    localSpeed,
    suno: {
      pollIntervalMs: integer(env, 'PROVIDER_POLL_INTERVAL_MS', 3_000, 10, 60_000),
      requestTimeoutMs: integer(env, 'PROVIDER_TIMEOUT_MS', 20_000, 100, 300_000),
    },
  };
}

/** The repository root: the nearest folder above this file with a package.json (from server/ or dist/server/). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(' or ')}), got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const jwtSecret = env.JWT_SECRET ?? (production ? '' : 'dev-only-jwt-secret-change-me-0123456789');
  if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be set to at least 32 characters');
  }
  const devLogin = env.DEV_LOGIN === '1';
  if (devLogin && production) {
    throw new ConfigError('DEV_LOGIN=1 is refused when NODE_ENV=production');
  }
  const telegramBotToken = env.TELEGRAM_BOT_TOKEN ?? (production ? '' : '123456:dev-bot-token');
  if (!/^\d+:[\w-]+$/.test(telegramBotToken)) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN must look like "<bot id>:<secret>" as BotFather gives it');
  }
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminIds = (env.ADMIN_TELEGRAM_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of adminIds) {
    if (!/^\d+$/.test(id)) throw new ConfigError(`ADMIN_TELEGRAM_IDS must be a comma list of numeric ids, got "${id}"`);
  }
  return {
    port,
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/musicverse', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: env.REDIS_PREFIX ?? 'mv:',
    publicUrl: url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']).replace(/\/$/, ''),
    jwtSecret,
    telegramBotToken,
    telegramApiBase: url(env, 'TELEGRAM_API_BASE', 'https://api.telegram.org', ['http:', 'https:']),
    adminTelegramIds: new Set(adminIds),
    initDataMaxAgeSeconds: integer(env, 'INIT_DATA_MAX_AGE_SECONDS', 86_400, 1, 31 * 86_400),
    devLogin,
    miniAppDir: resolve(repositoryRoot(), env.MINI_APP_DIR || 'client/dist'),
    storageDir: env.STORAGE_DIR ?? '.data/storage',
    s3: s3Settings(env),
    provider: providerSettings(env),
    generationConcurrency: integer(env, 'GENERATION_CONCURRENCY', 16, 1, 64),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', 30_000, 500, 600_000),
    limits: {
      maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 12, 2, 100),
      maxCost: integer(env, 'GRAPHQL_MAX_COST', 5_000, 10, 1_000_000),
    },
    graphqlJit: onOff(env, 'GRAPHQL_JIT', true),
    shutdown: {
      delayMs: integer(env, 'SHUTDOWN_DELAY_MS', production ? 5_000 : 0, 0, 120_000),
      timeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    },
    ledgerGroupCommit: env.LEDGER_GROUP_COMMIT !== '0',
    webhooks: webhookSettings(env, production, jwtSecret),
    rateLimits: onOff(env, 'RATE_LIMITS', true),
    anonymousRateLimit: integer(env, 'RATE_LIMIT_ANONYMOUS_PER_MINUTE', 60, 1, 1_000_000),
    nodeEnv,
    logLevel,
  };
}

/** Loads the configuration or ends the process with one line naming what is wrong. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`musicverse: bad configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
