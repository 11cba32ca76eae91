import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser } from '../../support/users.js';
import { burst, CHEAP, RATE_LIMIT, rateLimitHeaders } from './rate-limits.harness.js';

let api: ApiServer;
beforeAll(async () => {
  // The test default: RATE_LIMITS=off.
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('RATE_LIMITS=off', () => {
  it('never refuses and sends no rate-limit headers', async () => {
    const user = await signInNewUser(api.url);
    const answers = await burst(api.url, 100, CHEAP, { token: user.token });
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(answers.every((a) => rateLimitHeaders(a) === null && a.headers.get('retry-after') === null)).toBe(true);
  });

  it('still answers rateLimit with the tier limit and nothing spent', async () => {
    const user = await signInNewUser(api.url);
    await burst(api.url, 5, CHEAP, { token: user.token });
    const state = dataOf(await gql<{ rateLimit: { limit: number; cost: number; used: number; remaining: number } }>(api.url, RATE_LIMIT, { token: user.token })).rateLimit;
    expect(state).toEqual({ limit: 60, cost: 1, used: 0, remaining: 60, resetAt: expect.any(String) });
  });
});
