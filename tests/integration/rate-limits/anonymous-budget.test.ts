import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { codesOf } from '../../support/graphql-client.js';
import { signInNewUser } from '../../support/users.js';
import { awayFromWindowEnd, burst, CHEAP, rateLimitHeaders, startLimitedApi } from './rate-limits.harness.js';

const PUBLIC = '{ priceCatalog { model credits } }';

let api: ApiServer;
beforeAll(async () => {
  api = await startLimitedApi('anonymous', { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '5' });
});
afterAll(async () => {
  await api.stop();
});

describe('Operations without credentials', () => {
  it('spend a budget per client address: 5 of 12 at once are served, the rest answer 429 RATE_LIMITED', async () => {
    // Signed in first: signing in is itself an operation without credentials.
    const user = await signInNewUser(api.url);
    await awayFromWindowEnd();
    const answers = await burst(api.url, 12, PUBLIC, { headers: { 'x-forwarded-for': '198.51.100.2' } });
    const admitted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(admitted).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const answer of admitted) expect(rateLimitHeaders(answer)).toMatchObject({ limit: 5 });
    for (const answer of refused) {
      expect(codesOf(answer)).toEqual(['RATE_LIMITED']);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.errors![0]!.message).toMatch(/without credentials/);
    }

    // Another address has its own budget; a signed-in user spends their tier's, not the address's.
    const [elsewhere] = await burst(api.url, 1, PUBLIC, { headers: { 'x-forwarded-for': '198.51.100.3' } });
    expect(elsewhere!.status).toBe(200);
    const [signedIn] = await burst(api.url, 1, CHEAP, { token: user.token, headers: { 'x-forwarded-for': '198.51.100.2' } });
    expect(signedIn!.status).toBe(200);
    expect(rateLimitHeaders(signedIn!)).toMatchObject({ limit: 60 });
  });
});
