import { inject } from 'vitest';
import { startApi, type ApiServer } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger } from '../../server/infra/logger.js';

export const TEST_BOT_TOKEN = '7000000001:AAtest-bot-token_for-the-suite';
export const TEST_ADMIN_TELEGRAM_ID = '900000001';

/** Environment of an API under test: the run's own database and Redis prefix. */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    ADMIN_TELEGRAM_IDS: TEST_ADMIN_TELEGRAM_ID,
    DEV_LOGIN: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Many suites send hundreds of operations per user; the rate-limit suites turn it on.
    RATE_LIMITS: 'off',
    ...env,
  };
}

/** Configuration of an API under test: the run's own database and Redis prefix. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(testEnv(env));
}

/** Starts a real API server (HTTP + WebSocket) on a free port. */
export async function startTestApi(env: Record<string, string> = {}): Promise<ApiServer> {
  const config = testConfig(env);
  return startApi(config, createLogger(config.logLevel, 'api-test'));
}
