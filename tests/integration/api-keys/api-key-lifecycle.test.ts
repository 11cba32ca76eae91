import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { CREATE_API_KEY, createApiKey, eventually, signIn, withDatabase } from '../../support/sessions.js';

const ME = `query { viewer { user { id } } }`;
const LIST = `query { viewer { apiKeys { id name prefix scopes status lastUsedAt revokedAt } } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id status revokedAt } }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id ... on ApiKey { name status } } }`;

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

const me = (apiKey: string) => gql<{ viewer: { user: { id: string } } }>(api.url, ME, { apiKey });
const localIdOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

interface ApiKeyRow {
  id: string;
  name: string;
  lookup_id: string;
  key_hash: string;
  scopes: string[];
  last_used_at: Date | null;
  revoked_at: Date | null;
}
const rowOf = (globalId: string) =>
  withDatabase(async (db) => (await db.query<ApiKeyRow>('select * from api_keys where id = $1', [localIdOf(globalId)])).rows[0]!);

describe('createApiKey', () => {
  it('returns an amv_live_ key once, with at least 32 random URL-safe bytes, and it works', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken, ['tracks:read', 'credits:read'], 'CI');
    expect(created.key).toMatch(/^amv_live_[A-Za-z0-9_-]+$/);
    const randomPart = created.key.slice('amv_live_'.length);
    // base64url carries 6 bits a character: 32 bytes need at least 43 characters.
    expect(randomPart.length * 6).toBeGreaterThanOrEqual(32 * 8);
    expect(created.apiKey).toMatchObject({ name: 'CI', scopes: ['tracks:read', 'credits:read'], status: 'ACTIVE', revokedAt: null });
    expect(created.key.startsWith(created.apiKey.prefix.replace('…', ''))).toBe(true);
    expect(created.apiKey.prefix.length).toBeLessThan(created.key.length / 2);

    const another = await createApiKey(api.url, session.accessToken);
    expect(another.key).not.toBe(created.key);
    expect(dataOf(await me(created.key)).viewer.user.id).toBe(session.userId);
  });

  it('stores only a bcrypt hash of cost 10 or more; the key appears nowhere in the row', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    const row = await rowOf(created.apiKey.id);
    const cost = /^\$2[aby]\$(\d{2})\$/.exec(row.key_hash);
    expect(cost, `key_hash should be bcrypt, got ${row.key_hash.slice(0, 7)}`).not.toBeNull();
    expect(Number(cost![1])).toBeGreaterThanOrEqual(10);
    const secret = created.key.slice('amv_live_'.length + row.lookup_id.length);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('never returns the key when listing, nor through node(id)', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    const listed = await gql(api.url, LIST, { token: session.accessToken });
    expect(JSON.stringify(dataOf(listed))).not.toContain(created.key.slice(-20));
    const node = await gql(api.url, NODE, { token: session.accessToken, variables: { id: created.apiKey.id } });
    expect(dataOf(node)).toEqual({ node: { id: created.apiKey.id, name: 'test key', status: 'ACTIVE' } });
    expect(JSON.stringify(dataOf(node))).not.toContain(created.key.slice(-20));
  });

  it.each([
    ['an empty name', { name: '   ', scopes: ['tracks:read'] }, 'name'],
    ['a name over 80 characters', { name: 'x'.repeat(81), scopes: ['tracks:read'] }, 'name'],
    ['no scopes', { name: 'k', scopes: [] }, 'scopes'],
    ['an unknown scope', { name: 'k', scopes: ['tracks:read', 'everything:write'] }, 'scopes'],
    ['an expiry in the past', { name: 'k', scopes: ['tracks:read'], expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const session = await signIn(api.url);
    const response = await gql(api.url, CREATE_API_KEY, { token: session.accessToken, variables: { input } });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
    if (field === 'scopes' && input.scopes.length > 0) expect(response.errors?.[0]?.message).toContain('everything:write');
  });

  it('cannot be called with an API key (FORBIDDEN), nor can an API key list keys', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken, ['tracks:read', 'webhooks:write']);
    const create = await gql(api.url, CREATE_API_KEY, { apiKey: key, variables: { input: { name: 'child', scopes: ['tracks:read'] } } });
    expect(codesOf(create)).toEqual(['FORBIDDEN']);
    expect(create.errors?.[0]?.message).toMatch(/API keys cannot/);
    const list = await gql(api.url, LIST, { apiKey: key });
    expect(codesOf(list)).toEqual(['FORBIDDEN']);
  });
});

describe('using a key', () => {
  it('works as X-API-Key and as Authorization: Bearer', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken);
    expect(dataOf(await me(key)).viewer.user.id).toBe(session.userId);
    const bearer = await gql<{ viewer: { user: { id: string } } }>(api.url, ME, { token: key });
    expect(dataOf(bearer).viewer.user.id).toBe(session.userId);
  });

  it('records last_used_at after use', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    expect((await rowOf(created.apiKey.id)).last_used_at).toBeNull();
    const before = Date.now();
    dataOf(await me(created.key));
    // Recording use is off the request's path (a write per request would be wasteful), so poll.
    const usedAt = await eventually(async () => (await rowOf(created.apiKey.id)).last_used_at ?? undefined, 'last_used_at');
    expect(usedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const listed = await gql<{ viewer: { apiKeys: Array<{ id: string; lastUsedAt: string | null }> } }>(api.url, LIST, { token: session.accessToken });
    expect(dataOf(listed).viewer.apiKeys.find((k) => k.id === created.apiKey.id)?.lastUsedAt).not.toBeNull();
  });

  it('refuses a key whose expiry has passed with UNAUTHENTICATED saying it expired', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    await withDatabase((db) => db.query(`update api_keys set expires_at = now() - interval '1 minute' where id = $1`, [localIdOf(created.apiKey.id)]));
    const response = await me(created.key);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/API key expired at/);
    const listed = await gql<{ viewer: { apiKeys: Array<{ id: string; status: string }> } }>(api.url, LIST, { token: session.accessToken });
    expect(dataOf(listed).viewer.apiKeys.find((k) => k.id === created.apiKey.id)?.status).toBe('EXPIRED');
  });

  it('stops working the moment a key expires, even while it is cached', async () => {
    const session = await signIn(api.url);
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const created = dataOf(
      await gql<{ createApiKey: { key: string; apiKey: { id: string; expiresAt: string } } }>(api.url, CREATE_API_KEY, {
        token: session.accessToken,
        variables: { input: { name: 'short', scopes: ['tracks:read'], expiresAt } },
      }),
    ).createApiKey;
    expect(created.apiKey.expiresAt).toBe(expiresAt);
    dataOf(await me(created.key));
    // The cache holds the expiry it read, so it refuses the key at that instant on its own.
    const refused = await api.services.apiKeys.viewerFromKey(created.key, new Date(Date.parse(expiresAt) + 1)).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/API key expired at/);
  });

  it.each([
    ['random text', 'hello'],
    ['the right shape but never issued', `amv_live_${'A'.repeat(55)}`],
  ])('refuses %s with UNAUTHENTICATED saying the key is not valid', async (_label, key) => {
    const response = await me(key);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/API key is not valid/);
    expect(JSON.stringify(response.errors)).not.toContain(key);
  });

  it('refuses a real lookup id with a wrong secret as not valid', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken);
    const forged = `${key.slice(0, -5)}${key.endsWith('AAAAA') ? 'BBBBB' : 'AAAAA'}`;
    const response = await me(forged);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/API key is not valid/);
  });

  it('still answers public fields with a refused key', async () => {
    const response = await gql<{ apiKeyScopes: Array<{ name: string }> }>(api.url, `{ apiKeyScopes { name } }`, { apiKey: 'nonsense' });
    expect(dataOf(response).apiKeyScopes.map((s) => s.name)).toContain('tracks:read');
  });
});

describe('revokeApiKey', () => {
  it('takes effect at once, even for a key this server had cached; the key then says revoked', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    dataOf(await me(created.key));
    const revoked = dataOf(await gql<{ revokeApiKey: { status: string; revokedAt: string } }>(api.url, REVOKE, { token: session.accessToken, variables: { id: created.apiKey.id } }));
    expect(revoked.revokeApiKey.status).toBe('REVOKED');
    expect(revoked.revokeApiKey.revokedAt).toBeTruthy();
    const response = await me(created.key);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/API key was revoked/);
    expect((await rowOf(created.apiKey.id)).revoked_at).not.toBeNull();
  });

  it("answers NOT_FOUND for another user's key and leaves it working", async () => {
    const owner = await signIn(api.url);
    const stranger = await signIn(api.url);
    const created = await createApiKey(api.url, owner.accessToken);
    const response = await gql(api.url, REVOKE, { token: stranger.accessToken, variables: { id: created.apiKey.id } });
    expect(codesOf(response)).toEqual(['NOT_FOUND']);
    expect(dataOf(await me(created.key)).viewer.user.id).toBe(owner.userId);
  });

  it("answers null for another user's key through node(id)", async () => {
    const owner = await signIn(api.url);
    const stranger = await signIn(api.url);
    const created = await createApiKey(api.url, owner.accessToken);
    const response = await gql(api.url, NODE, { token: stranger.accessToken, variables: { id: created.apiKey.id } });
    expect(dataOf(response)).toEqual({ node: null });
  });

  it('answers NOT_FOUND for the id of an object that is not an API key', async () => {
    const session = await signIn(api.url);
    const response = await gql(api.url, REVOKE, { token: session.accessToken, variables: { id: session.userId } });
    expect(codesOf(response)).toEqual(['NOT_FOUND']);
  });

  it('cannot be called with an API key (FORBIDDEN)', async () => {
    const session = await signIn(api.url);
    const created = await createApiKey(api.url, session.accessToken);
    const response = await gql(api.url, REVOKE, { apiKey: created.key, variables: { id: created.apiKey.id } });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
    expect(dataOf(await me(created.key)).viewer.user.id).toBe(session.userId);
  });
});
