import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { eventually } from '../../support/sessions.js';
import { gql } from '../../support/graphql-client.js';
import { freePort, RedisServer } from '../../support/processes.js';
import { signInNewUser } from '../../support/users.js';
import { CHEAP, rateLimitHeaders, startLimitedApi } from './rate-limits.harness.js';

let redis: RedisServer;
let api: ApiServer;
beforeAll(async () => {
  redis = new RedisServer(await freePort());
  await redis.start();
  api = await startLimitedApi('outage', { REDIS_URL: redis.url });
});
afterAll(async () => {
  await api.stop();
  await redis.stop();
});

/**
 * The fail-open counter, read from the API's registry: GET /metrics itself waits on Redis for
 * its ledger gauges while Redis is away.
 */
async function uncheckedCount(): Promise<number> {
  const metric = api.infra.metrics?.registry.getSingleMetric('graphql_rate_limit_unchecked_total');
  if (!metric) throw new Error('graphql_rate_limit_unchecked_total is not registered');
  return (await metric.get()).values[0]?.value ?? 0;
}

describe('Redis outage', () => {
  it('serves signed-in operations uncounted (fail open) while Redis is away, and counts again once it is back', async () => {
    const user = await signInNewUser(api.url);
    const counted = await gql(api.url, CHEAP, { token: user.token });
    expect(rateLimitHeaders(counted)).toMatchObject({ limit: 60, used: 1 });

    await redis.stop();
    await eventually(async () => (api.infra.redis.status === 'ready' ? undefined : true), 'the API to notice Redis is gone');
    const before = await uncheckedCount();
    const answers = await Promise.all(Array.from({ length: 70 }, () => gql<{ viewer: { user: { id: string } } }>(api.url, CHEAP, { token: user.token })));
    expect(answers.map((a) => a.status)).toEqual(Array(70).fill(200));
    expect(answers.every((a) => a.data?.viewer.user.id === user.id && rateLimitHeaders(a) === null)).toBe(true);
    expect((await uncheckedCount()) - before).toBe(70);

    // A new, empty Redis on the same port: the spend script is loaded again and counting resumes.
    await redis.start();
    await eventually(async () => (api.infra.redis.status === 'ready' ? true : undefined), 'the API to reconnect to Redis', 10_000);
    const again = await gql(api.url, CHEAP, { token: user.token });
    expect(again.status).toBe(200);
    expect(rateLimitHeaders(again)).toMatchObject({ limit: 60, used: 1, remaining: 59 });
  });
});
