import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi, TEST_BOT_TOKEN, testConfig } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { signIn, withDatabase } from '../../support/sessions.js';
import { initDataFor, newTelegramId } from '../../support/telegram.js';

const REFRESH = `mutation Refresh($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) { accessToken refreshToken user { id } }
}`;
const ME = `query { viewer { user { id } } }`;
const SIGN_OUT = `mutation { signOut }`;

interface RefreshData {
  refreshSession: { accessToken: string; refreshToken: string; user: { id: string } };
}

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

const refresh = (refreshToken: string) => gql<RefreshData>(api.url, REFRESH, { variables: { refreshToken } });
const me = (token: string) => gql<{ viewer: { user: { id: string } } }>(api.url, ME, { token });

/** An access token written here with jose, not by the server, for the server's issuer and audience. */
async function handMadeToken(claims: { sub: string; sid: string }, secret: string, expiresAtSeconds: number): Promise<string> {
  return new SignJWT({ sid: claims.sid, role: 'user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer('musicverse')
    .setAudience('musicverse-api')
    .setIssuedAt(expiresAtSeconds - 3600)
    .setExpirationTime(expiresAtSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** The local ids of the session behind a signed-in user (the newest one). */
async function sessionOf(globalUserId: string): Promise<{ userId: string; sessionId: string }> {
  const userId = Buffer.from(globalUserId, 'base64url').toString('utf8').split(':')[1]!;
  const sessionId = await withDatabase(async (db) => {
    const { rows } = await db.query<{ id: string }>('select id from sessions where user_id = $1 order by created_at desc limit 1', [userId]);
    return rows[0]!.id;
  });
  return { userId, sessionId };
}

describe('refreshSession', () => {
  it('returns a new pair for the same user, and the old refresh token stops working', async () => {
    const session = await signIn(api.url);
    const renewed = dataOf(await refresh(session.refreshToken)).refreshSession;
    expect(renewed.user.id).toBe(session.userId);
    expect(renewed.refreshToken).not.toBe(session.refreshToken);
    expect(renewed.accessToken).not.toBe(session.accessToken);
    expect(dataOf(await me(renewed.accessToken)).viewer.user.id).toBe(session.userId);

    const again = await refresh(session.refreshToken);
    expect(codesOf(again)).toEqual(['UNAUTHENTICATED']);
    expect(again.errors?.[0]?.message).toMatch(/already used/);
  });

  it('revokes the whole session when a rotated token is presented again (UNAUTHENTICATED)', async () => {
    const session = await signIn(api.url);
    const second = dataOf(await refresh(session.refreshToken)).refreshSession;
    const third = dataOf(await refresh(second.refreshToken)).refreshSession;
    expect(dataOf(await me(third.accessToken)).viewer.user.id).toBe(session.userId);

    // Someone replays the first, long-rotated token: the family ends at once.
    const replay = await refresh(session.refreshToken);
    expect(codesOf(replay)).toEqual(['UNAUTHENTICATED']);
    expect(replay.errors?.[0]?.message).toMatch(/session has been ended/);

    const newest = await refresh(third.refreshToken);
    expect(codesOf(newest)).toEqual(['UNAUTHENTICATED']);
    for (const token of [session.accessToken, second.accessToken, third.accessToken]) {
      const response = await me(token);
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.errors?.[0]?.message).toMatch(/session was ended/);
    }
  });

  it('lets exactly one of many simultaneous refreshes with one token succeed', async () => {
    const session = await signIn(api.url);
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(session.refreshToken)));
    const succeeded = results.filter((r) => !r.errors && r.data?.refreshSession);
    expect(succeeded).toHaveLength(1);
    for (const failed of results.filter((r) => r.errors)) expect(codesOf(failed)).toEqual(['UNAUTHENTICATED']);
    // The losers presented a token that had just been used: indistinguishable from a thief racing
    // the owner, so the session ends (RFC 9700 §4.14.2) and the winner signs in again.
    expect(codesOf(await me(succeeded[0]!.data!.refreshSession.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an unknown refresh token with UNAUTHENTICATED without ending anything', async () => {
    const session = await signIn(api.url);
    const response = await refresh('not-a-token-we-issued');
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/not valid; sign in again/);
    expect(dataOf(await me(session.accessToken)).viewer.user.id).toBe(session.userId);
  });

  it('refuses an expired refresh token with UNAUTHENTICATED and keeps refusing it', async () => {
    const session = await signIn(api.url);
    const { sessionId } = await sessionOf(session.userId);
    await withDatabase((db) => db.query(`update refresh_tokens set expires_at = now() - interval '1 second' where session_id = $1`, [sessionId]));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await refresh(session.refreshToken);
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.errors?.[0]?.message).toMatch(/expired/);
    }
  });

  it('works while a stale Authorization header is sent, as do other public mutations', async () => {
    const session = await signIn(api.url);
    const headers = { authorization: 'Bearer expired.or.garbage' };
    const renewed = await gql<RefreshData>(api.url, REFRESH, { variables: { refreshToken: session.refreshToken }, headers });
    expect(dataOf(renewed).refreshSession.user.id).toBe(session.userId);
    const initData = initDataFor(TEST_BOT_TOKEN, { id: newTelegramId(), first_name: 'Stale' });
    const signedIn = await gql<{ authenticateTelegram: { user: { id: string } } }>(
      api.url,
      `mutation($initData: String!) { authenticateTelegram(initData: $initData) { user { id } } }`,
      { variables: { initData }, headers },
    );
    expect(dataOf(signedIn).authenticateTelegram.user.id).toBeTruthy();
  });
});

describe('access tokens', () => {
  it('refuses an expired access token with UNAUTHENTICATED and says to refresh', async () => {
    const session = await signIn(api.url);
    const { userId, sessionId } = await sessionOf(session.userId);
    const expired = await handMadeToken({ sub: userId, sid: sessionId }, testConfig().jwtSecret, Math.floor(Date.now() / 1000) - 5);
    const response = await me(expired);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/expired; call refreshSession/);
  });

  it('accepts a token made with the same secret and claims, so the refusals above are about expiry', async () => {
    const session = await signIn(api.url);
    const { userId, sessionId } = await sessionOf(session.userId);
    const valid = await handMadeToken({ sub: userId, sid: sessionId }, testConfig().jwtSecret, Math.floor(Date.now() / 1000) + 600);
    expect(dataOf(await me(valid)).viewer.user.id).toBe(session.userId);
  });

  it('refuses a token signed with another secret with UNAUTHENTICATED', async () => {
    const session = await signIn(api.url);
    const { userId, sessionId } = await sessionOf(session.userId);
    const foreign = await handMadeToken({ sub: userId, sid: sessionId }, 'another-secret-that-is-long-enough-000000', Math.floor(Date.now() / 1000) + 600);
    const response = await me(foreign);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/not valid; sign in again/);
  });

  it('refuses a token whose payload was altered with UNAUTHENTICATED', async () => {
    const victim = await signIn(api.url);
    const attacker = await signIn(api.url);
    const [header, , signature] = attacker.accessToken.split('.');
    const victimPayload = victim.accessToken.split('.')[1];
    const response = await me(`${header}.${victimPayload}.${signature}`);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an unsigned token (alg none) with UNAUTHENTICATED', async () => {
    const session = await signIn(api.url);
    const payload = session.accessToken.split('.')[1];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const response = await me(`${header}.${payload}.`);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a malformed Authorization header with UNAUTHENTICATED and says what to send', async () => {
    const response = await gql(api.url, ME, { headers: { authorization: 'Token abc' } });
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/Bearer <token>/);
  });

  it('answers UNAUTHENTICATED and says how to sign in when no credentials are sent', async () => {
    const response = await gql(api.url, ME);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/Sign in first/);
  });
});

describe('signOut', () => {
  it('ends the session: its access and refresh tokens stop working, other sessions do not', async () => {
    const session = await signIn(api.url);
    const other = await signIn(api.url);
    expect(dataOf(await gql<{ signOut: boolean }>(api.url, SIGN_OUT, { token: session.accessToken })).signOut).toBe(true);
    const after = await me(session.accessToken);
    expect(codesOf(after)).toEqual(['UNAUTHENTICATED']);
    expect(after.errors?.[0]?.message).toMatch(/session was ended/);
    expect(codesOf(await refresh(session.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(dataOf(await me(other.accessToken)).viewer.user.id).toBe(other.userId);
  });

  it('is refused for API keys with FORBIDDEN', async () => {
    const session = await signIn(api.url);
    const created = await gql<{ createApiKey: { key: string } }>(
      api.url,
      `mutation { createApiKey(input: { name: "k", scopes: ["tracks:read"] }) { key } }`,
      { token: session.accessToken },
    );
    const response = await gql(api.url, SIGN_OUT, { apiKey: dataOf(created).createApiKey.key });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
  });
});
