import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { MusicVerse, RateLimitedError } from '../../../sdk-js/src/index.js';
import { signInNewUser } from '../../support/users.js';
import { awayFromWindowEnd, burst, CHEAP, startLimitedApi } from './rate-limits.harness.js';

let api: ApiServer;
beforeAll(async () => {
  api = await startLimitedApi('sdk');
});
afterAll(async () => {
  await api.stop();
});

describe('SDK over the budget', () => {
  it('rejects with RateLimitedError carrying retryAfter from the server, when retries are off', async () => {
    const user = await signInNewUser(api.url);
    const client = new MusicVerse({ accessToken: user.token }, { baseUrl: api.url, maxRetries: 0 });
    await awayFromWindowEnd();
    expect((await client.viewer.me()).id).toBe(user.id);
    await burst(api.url, 59, CHEAP, { token: user.token });

    const error = await client.viewer.me().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    const limited = error as RateLimitedError;
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfter).toBeLessThanOrEqual(60);
    expect(limited.requestId).toMatch(/[\w-]{8,}/);
  });
});
