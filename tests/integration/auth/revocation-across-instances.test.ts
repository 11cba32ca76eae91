import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey, eventually, signIn } from '../../support/sessions.js';

const ME = `query { viewer { user { id } } }`;
const REFRESH = `mutation Refresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiKey(id: $id) { status } }`;

/** Two replicas behind one imaginary load balancer: same database, same Redis. */
let a: ApiServer;
let b: ApiServer;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestApi(), startTestApi()]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/**
 * What B answers for `credentials` once it agrees with `expected`. Revocations reach other
 * replicas over Redis pub/sub, which the revoking replica publishes before it answers but which
 * B reads from its own socket: an asynchronous hop, so B is polled with a short deadline instead
 * of being assumed to have read it already. A refusal within the deadline is "at once" for a
 * client; a cache TTL (minutes) or a token expiry (an hour) would blow far past it.
 */
async function refusedOnB(credentials: { token?: string; apiKey?: string }): Promise<string> {
  return eventually(async () => {
    const response = await gql(b.url, ME, credentials);
    return codesOf(response)[0] === 'UNAUTHENTICATED' ? String(response.errors?.[0]?.message) : undefined;
  }, 'B to refuse revoked credentials', 2000);
}

describe('session revocation across replicas', () => {
  it('refuses on B the access token of a session ended by refresh-token reuse on A', async () => {
    const session = await signIn(a.url);
    const renewed = dataOf(await gql<{ refreshSession: { accessToken: string } }>(a.url, REFRESH, { variables: { refreshToken: session.refreshToken } }));
    const token = renewed.refreshSession.accessToken;
    expect(dataOf(await gql<{ viewer: { user: { id: string } } }>(b.url, ME, { token })).viewer.user.id).toBe(session.userId);

    const reuse = await gql(a.url, REFRESH, { variables: { refreshToken: session.refreshToken } });
    expect(codesOf(reuse)).toEqual(['UNAUTHENTICATED']);
    expect(await refusedOnB({ token })).toMatch(/session was ended/);
  });

  it('refuses on B the access token of a session signed out on A', async () => {
    const session = await signIn(b.url);
    expect(dataOf(await gql<{ viewer: { user: { id: string } } }>(b.url, ME, { token: session.accessToken })).viewer.user.id).toBe(session.userId);
    dataOf(await gql(a.url, `mutation { signOut }`, { token: session.accessToken }));
    expect(await refusedOnB({ token: session.accessToken })).toMatch(/session was ended/);
  });

  it('knows sessions ended before it started', async () => {
    const session = await signIn(a.url);
    dataOf(await gql(a.url, `mutation { signOut }`, { token: session.accessToken }));
    const late = await startTestApi();
    try {
      const response = await gql(late.url, ME, { token: session.accessToken });
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await late.stop();
    }
  });
});

describe('API key revocation across replicas', () => {
  it('refuses on B a key revoked on A although B had it cached', async () => {
    const session = await signIn(a.url);
    const created = await createApiKey(a.url, session.accessToken);
    // B verifies (bcrypt) and caches the key.
    expect(dataOf(await gql<{ viewer: { user: { id: string } } }>(b.url, ME, { apiKey: created.key })).viewer.user.id).toBe(session.userId);
    expect(dataOf(await gql<{ viewer: { user: { id: string } } }>(b.url, ME, { apiKey: created.key })).viewer.user.id).toBe(session.userId);

    dataOf(await gql(a.url, REVOKE, { token: session.accessToken, variables: { id: created.apiKey.id } }));
    expect(await refusedOnB({ apiKey: created.key })).toMatch(/API key was revoked/);
    expect(codesOf(await gql(a.url, ME, { apiKey: created.key }))).toEqual(['UNAUTHENTICATED']);
  });

  it('does not cache a key on B whose revocation lands while B is still checking it', async () => {
    const session = await signIn(a.url);
    const created = await createApiKey(a.url, session.accessToken);
    // B starts verifying (reads the row, then spends tens of ms in bcrypt) while A revokes.
    const onB = b.services.apiKeys.viewerFromKey(created.key).then(
      () => 'accepted',
      () => 'refused',
    );
    dataOf(await gql(a.url, REVOKE, { token: session.accessToken, variables: { id: created.apiKey.id } }));
    await onB; // that one request may go either way: it began before the revocation
    expect(await refusedOnB({ apiKey: created.key })).toMatch(/API key was revoked/);
  });
});
