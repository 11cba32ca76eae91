import { SignJWT } from 'jose';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi, testConfig } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey, signIn, withDatabase } from '../../support/sessions.js';

const ME = `query { viewer { user { id } } }`;

interface Closed {
  code: number;
  reason: string;
}
interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  closed?: Closed;
}

let api: ApiServer;
const clients: Client[] = [];
beforeAll(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await api.stop();
});

/**
 * A graphql-ws client as any developer would open one; `closed` settles when the socket closes.
 * `keepOpen` connects at once and holds the socket between operations (graphql-ws's lazy mode,
 * the default, closes it whenever no operation is running).
 */
function connect(server: ApiServer, connectionParams?: Record<string, unknown>, keepOpen = false): { client: Client; closed: Promise<Closed> } {
  let onClosed: (closed: Closed) => void = () => undefined;
  const closed = new Promise<Closed>((resolve) => {
    onClosed = resolve;
  });
  const client = createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: !keepOpen,
    // A kept-open socket's close is observed through `closed`, not printed.
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  clients.push(client);
  return { client, closed };
}

/** Runs one operation over the socket: its result, its errors, or how the socket closed. */
function request(client: Client, query: string): Promise<Answer> {
  return new Promise((resolve) => {
    let answer: Answer = {};
    client.subscribe(
      { query },
      {
        next: (result) => {
          answer = result as Answer;
        },
        error: (error: unknown) => {
          if (Array.isArray(error)) resolve({ errors: error as Answer['errors'] });
          else {
            const { code, reason } = error as { code: number; reason: string };
            resolve({ closed: { code, reason: String(reason) } });
          }
        },
        complete: () => resolve(answer),
      },
    );
  });
}

const viewerIdOf = (answer: Answer) => (answer.data as { viewer: { user: { id: string } } } | undefined)?.viewer.user.id;
const codeOf = (answer: Answer) => answer.errors?.map((e) => e.extensions?.code);

describe('Connect', () => {
  it('sees the same viewer as HTTP with Authorization: Bearer <access token>', async () => {
    const session = await signIn(api.url);
    const { client } = connect(api, { Authorization: `Bearer ${session.accessToken}` });
    expect(viewerIdOf(await request(client, ME))).toBe(session.userId);
  });

  it('sees the same viewer with X-API-Key, and with the key as a Bearer token', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken);
    const http = dataOf(await gql<{ viewer: { user: { id: string } } }>(api.url, ME, { apiKey: key })).viewer.user.id;
    expect(viewerIdOf(await request(connect(api, { 'X-API-Key': key }).client, ME))).toBe(http);
    expect(viewerIdOf(await request(connect(api, { authorization: `Bearer ${key}` }).client, ME))).toBe(http);
  });

  it('accepts a connection without credentials, where viewer answers UNAUTHENTICATED', async () => {
    const { client } = connect(api);
    const answer = await request(client, ME);
    expect(answer.closed).toBeUndefined();
    expect(codeOf(answer)).toEqual(['UNAUTHENTICATED']);
    const open = await request(client, `{ apiKeyScopes { name } }`);
    expect(open.errors).toBeUndefined();
  });

  it('closes with 4403 and says why for a token that is not valid', async () => {
    const { client, closed } = connect(api, { Authorization: 'Bearer not.a.token' });
    const answer = await request(client, ME);
    expect(answer.closed).toEqual({ code: 4403, reason: expect.stringMatching(/Access token is not valid; sign in again/) });
    expect(await closed).toMatchObject({ code: 4403 });
  });

  it('closes with 4403 and says to refresh for an expired access token', async () => {
    const session = await signIn(api.url);
    const userId = Buffer.from(session.userId, 'base64url').toString('utf8').split(':')[1]!;
    const sessionId = await withDatabase(async (db) => (await db.query<{ id: string }>('select id from sessions where user_id = $1', [userId])).rows[0]!.id);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ sid: sessionId, role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer('musicverse')
      .setAudience('musicverse-api')
      .setIssuedAt(nowSeconds - 3700)
      .setExpirationTime(nowSeconds - 100)
      .sign(new TextEncoder().encode(testConfig().jwtSecret));
    const answer = await request(connect(api, { Authorization: `Bearer ${expired}` }).client, ME);
    expect(answer.closed).toEqual({ code: 4403, reason: expect.stringMatching(/expired; call refreshSession/) });
  });

  it('closes with 4403 and says revoked for a revoked API key', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    dataOf(await gql(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { token: session.accessToken, variables: { id: created.apiKey.id } }));
    const answer = await request(connect(api, { 'X-API-Key': created.key }).client, ME);
    expect(answer.closed).toEqual({ code: 4403, reason: expect.stringMatching(/API key was revoked/) });
  });

  it('closes with 4403 for a key that was never issued, without echoing it', async () => {
    const key = `amv_live_${'Z'.repeat(55)}`;
    const answer = await request(connect(api, { 'X-API-Key': key }).client, ME);
    expect(answer.closed).toEqual({ code: 4403, reason: expect.stringMatching(/API key is not valid/) });
    expect(answer.closed?.reason).not.toContain(key);
  });
});

describe('Token expiry while connected', () => {
  it('closes an open socket with 4403 when its access token expires, so the client reconnects with a fresh one', async () => {
    const session = await signIn(api.url);
    const userId = Buffer.from(session.userId, 'base64url').toString('utf8').split(':')[1]!;
    const sessionId = await withDatabase(async (db) => (await db.query<{ id: string }>('select id from sessions where user_id = $1', [userId])).rows[0]!.id);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({ sid: sessionId, role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer('musicverse')
      .setAudience('musicverse-api')
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 2)
      .sign(new TextEncoder().encode(testConfig().jwtSecret));
    const { client, closed } = connect(api, { Authorization: `Bearer ${shortLived}` }, true);
    expect(viewerIdOf(await request(client, ME))).toBe(session.userId);
    // The server closes the socket itself at the token's expiry (about 2 s from now).
    expect(await closed).toEqual({ code: 4403, reason: expect.stringMatching(/expired; call refreshSession/) });
  });
});

describe('Revocation while connected', () => {
  it('closes an open socket with 4403 the moment its API key is revoked', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    const { client, closed } = connect(api, { 'X-API-Key': created.key }, true);
    expect(viewerIdOf(await request(client, ME))).toBe(session.userId);
    dataOf(await gql(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { token: session.accessToken, variables: { id: created.apiKey.id } }));
    expect(await closed).toEqual({ code: 4403, reason: expect.stringMatching(/API key was revoked/) });
  });

  it('closes an open socket with 4403 when its session signs out, and leaves other sessions open', async () => {
    const session = await signIn(api.url);
    const other = await signIn(api.url);
    const mine = connect(api, { Authorization: `Bearer ${session.accessToken}` }, true);
    const theirs = connect(api, { Authorization: `Bearer ${other.accessToken}` }, true);
    expect(viewerIdOf(await request(mine.client, ME))).toBe(session.userId);
    expect(viewerIdOf(await request(theirs.client, ME))).toBe(other.userId);
    dataOf(await gql(api.url, `mutation { signOut }`, { token: session.accessToken }));
    expect(await mine.closed).toEqual({ code: 4403, reason: expect.stringMatching(/session was ended/) });
    expect(viewerIdOf(await request(theirs.client, ME))).toBe(other.userId);
  });
});

describe('Subscribe limits', () => {
  it('refuses an over-deep operation over the socket with BAD_USER_INPUT before running it', async () => {
    // The schema is still shallow (depth 3 at most), so this server allows depth 2.
    const shallow = await startTestApi({ GRAPHQL_MAX_DEPTH: '2' });
    try {
      // Signing in asks for depth 3 as well, so the session comes from the regular server.
      const session = await signIn(api.url);
      const { client } = connect(shallow, { Authorization: `Bearer ${session.accessToken}` });
      const answer = await request(client, ME);
      expect(codeOf(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.message).toMatch(/depth 3 exceeds/);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ limit: 2, actual: 3 });
      expect((await request(client, `{ viewer { __typename } }`)).data).toEqual({ viewer: { __typename: 'Viewer' } });
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await shallow.stop();
    }
  });

  it('answers a query that does not parse with BAD_USER_INPUT and keeps the socket open', async () => {
    const session = await signIn(api.url);
    const { client } = connect(api, { Authorization: `Bearer ${session.accessToken}` });
    const answer = await request(client, `{ viewer { `);
    expect(codeOf(answer)).toEqual(['BAD_USER_INPUT']);
    expect(viewerIdOf(await request(client, ME))).toBe(session.userId);
  });
});
