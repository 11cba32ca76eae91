import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { freePort, RedisServer } from '../../support/processes.js';
import { newTelegramId } from '../../support/telegram.js';

/**
 * Liveness and readiness against real dependencies. The API here talks to a redis-server of its
 * own, so the test can take Redis away and bring it back without touching other suites.
 */
interface Readiness {
  status: string;
  checks: Record<'database' | 'redis' | 'migrations', { ok: boolean; error?: string }>;
}

let redis: RedisServer;
let api: ApiServer;
beforeAll(async () => {
  redis = new RedisServer(await freePort());
  await redis.start();
  api = await startTestApi({ REDIS_URL: redis.url });
});
afterAll(async () => {
  await api?.stop();
  await redis?.stop();
});

async function readiness(): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${api.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** Polls /readyz until it answers `status`, within a bounded wait. */
async function readinessBecomes(status: number): Promise<{ status: number; body: Readiness }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await readiness();
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /healthz', () => {
  it('answers 200 while the process runs', async () => {
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('answers 200 with the database, Redis and migrations checked', async () => {
    const { status, body } = await readiness();
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ready', checks: { database: { ok: true }, redis: { ok: true }, migrations: { ok: true } } });
  });

  it('answers 503 naming Redis while Redis is down, keeps serving GraphQL, and recovers when it is back', async () => {
    await redis.stop();

    const down = await readinessBecomes(503);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.redis.ok).toBe(false);
    expect(down.body.checks.redis.error).toBeTruthy();
    expect(down.body.checks.database).toEqual({ ok: true });
    expect(down.body.checks.migrations).toEqual({ ok: true });

    // Promptly, not after ioredis's retries.
    const started = Date.now();
    expect((await readiness()).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_500);

    // The process is alive and serves what does not need Redis.
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const signedIn = await gql<{ devSignIn: { accessToken: string } }>(api.url, `mutation { devSignIn(input: { telegramId: "${newTelegramId()}" }) { accessToken } }`);
    const me = await gql<{ viewer: { user: { id: string } } }>(api.url, '{ viewer { user { id } } }', { token: dataOf(signedIn).devSignIn.accessToken });
    expect(dataOf(me).viewer.user.id).toBeTruthy();

    await redis.start();
    const back = await readinessBecomes(200);
    expect(back.body).toEqual({ status: 'ready', checks: { database: { ok: true }, redis: { ok: true }, migrations: { ok: true } } });
  });
});
