import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey, withDatabase } from '../../support/sessions.js';
import { signInNewUser } from '../../support/users.js';
import { awayFromWindowEnd, burst, CHEAP, RATE_LIMIT, rateLimitHeaders, startLimitedApi } from './rate-limits.harness.js';

interface RateLimit {
  limit: number;
  cost: number;
  remaining: number;
  used: number;
  resetAt: string;
}

let api: ApiServer;
beforeAll(async () => {
  api = await startLimitedApi('http');
});
afterAll(async () => {
  await api.stop();
});

describe('Spend', () => {
  it('admits exactly the free budget of 60 out of 100 concurrent operations and refuses the rest with 429 RATE_LIMITED', async () => {
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    const answers = await burst(api.url, 100, CHEAP, { token: user.token });
    const admitted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(admitted).toHaveLength(60);
    expect(refused).toHaveLength(40);
    for (const answer of admitted) expect(answer.data).toBeTruthy();
    // Every spend saw a distinct total: the counter is atomic.
    expect(new Set(admitted.map((a) => rateLimitHeaders(a)!.used))).toEqual(new Set(Array.from({ length: 60 }, (_, i) => i + 1)));
    for (const answer of refused) {
      expect(answer.data ?? null).toBeNull();
      expect(codesOf(answer)).toEqual(['RATE_LIMITED']);
      const retryAfter = answer.errors![0]!.extensions!.retryAfter as number;
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(answer.headers.get('retry-after')).toBe(String(retryAfter));
      const headers = rateLimitHeaders(answer)!;
      expect(headers).toMatchObject({ limit: 60, remaining: 0, used: 60 });
      expect(headers.reset % 60).toBe(0);
      expect(headers.reset * 1000).toBeGreaterThan(Date.now());
    }
  });

  it('refuses before any resolver runs: a refused mutation changes nothing', async () => {
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    await burst(api.url, 60, CHEAP, { token: user.token });
    const refused = await gql(api.url, 'mutation { createApiKey(input: { name: "late", scopes: ["tracks:read"] }) { key } }', { token: user.token });
    expect(refused.status).toBe(429);
    const keys = await withDatabase((db) => db.query('select count(*)::int as n from api_keys where user_id = $1', [user.userId]));
    expect(keys.rows[0].n).toBe(0);
  });
});

describe('rateLimit', () => {
  it('reports limit, cost, used and remaining consistently with the headers, this query included', async () => {
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    const first = await gql<{ rateLimit: RateLimit }>(api.url, RATE_LIMIT, { token: user.token });
    expect(dataOf(first).rateLimit).toMatchObject({ limit: 60, cost: 1, used: 1, remaining: 59 });
    await gql(api.url, CHEAP, { token: user.token });
    const third = await gql<{ rateLimit: RateLimit }>(api.url, RATE_LIMIT, { token: user.token });
    const state = dataOf(third).rateLimit;
    expect(state).toMatchObject({ limit: 60, cost: 1, used: 3, remaining: 57 });
    expect(rateLimitHeaders(third)).toEqual({ limit: 60, used: 3, remaining: 57, reset: Date.parse(state.resetAt) / 1000 });
  });

  it('charges a bigger page more points', async () => {
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    const page = (first: number) => `{ rateLimit { cost used } viewer { tracks(first: ${first}) { edges { node { id title versions { number source } } } } } }`;
    const small = dataOf(await gql<{ rateLimit: RateLimit }>(api.url, page(5), { token: user.token })).rateLimit;
    const large = dataOf(await gql<{ rateLimit: RateLimit }>(api.url, page(50), { token: user.token })).rateLimit;
    expect(small.cost).toBeGreaterThanOrEqual(1);
    expect(large.cost).toBeGreaterThan(small.cost);
    expect(large.used).toBe(small.cost + large.cost);
  });

  it('answers UNAUTHENTICATED without credentials', async () => {
    expect(codesOf(await gql(api.url, RATE_LIMIT))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('Budget', () => {
  it('gives a pro user the pro tier limit of 600', async () => {
    const user = await signInNewUser(api.url);
    // Upgraded before the user's first signed-in operation (the limiter caches a tier up to 30 s).
    await withDatabase((db) => db.query(`update users set tier = 'pro' where id = $1`, [user.userId]));
    await awayFromWindowEnd();
    const answers = await burst(api.url, 100, CHEAP, { token: user.token });
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const state = dataOf(await gql<{ rateLimit: RateLimit }>(api.url, RATE_LIMIT, { token: user.token })).rateLimit;
    expect(state).toMatchObject({ limit: 600, used: 101, remaining: 499 });
  });

  it("shares one budget between a user's sessions and API keys", async () => {
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    const key = await createApiKey(api.url, user.token, ['profile:read']);
    const second = await signInNewUser(api.url);
    expect(second.userId).not.toBe(user.userId);
    await burst(api.url, 20, CHEAP, { apiKey: key.key });
    await burst(api.url, 20, CHEAP, { token: user.token });
    const viaKey = await gql<{ rateLimit: RateLimit }>(api.url, RATE_LIMIT, { apiKey: key.key });
    // createApiKey, 20 through the key, 20 through the session, and this query.
    expect(dataOf(viaKey).rateLimit).toMatchObject({ used: 42, remaining: 18 });
    const rest = await burst(api.url, 20, CHEAP, { apiKey: key.key });
    expect(rest.filter((a) => a.status === 429)).toHaveLength(2);
    // Another user's budget is untouched.
    expect(dataOf(await gql<{ rateLimit: RateLimit }>(api.url, RATE_LIMIT, { token: second.token })).rateLimit.used).toBe(1);
  });
});
