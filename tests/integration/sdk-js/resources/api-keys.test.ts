import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../../server/app.js';
import { MusicVerse, UnauthenticatedError } from '../../../../sdk-js/src/index.js';
import { startTestApi } from '../../../support/api.js';
import { newSessionClient } from '../sdk.harness.js';

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('apiKeys', () => {
  it('lists the scopes, creates a key that works as X-API-Key, lists it and revokes it', async () => {
    const { client: session, user } = await newSessionClient(api.url);
    const scopes = (await session.apiKeys.scopes()).map((s) => s.name);
    expect(scopes).toEqual(expect.arrayContaining(['profile:read', 'tracks:read', 'generate:write', 'jobs:read', 'credits:read']));

    const created = await session.apiKeys.create({ name: 'ci', scopes: ['profile:read', 'credits:read'] });
    expect(created.key.startsWith(created.apiKey.prefix.replace(/…$/, ''))).toBe(true);
    expect(created.apiKey).toMatchObject({ name: 'ci', status: 'ACTIVE', scopes: ['profile:read', 'credits:read'] });

    const client = new MusicVerse({ apiKey: created.key }, { baseUrl: api.url });
    expect((await client.viewer.me()).id).toBe(user.id);
    expect((await client.credits.balance()).available).toBeGreaterThan(0);
    expect((await session.apiKeys.list()).map((k) => k.id)).toContain(created.apiKey.id);

    expect((await session.apiKeys.revoke(created.apiKey.id)).status).toBe('REVOKED');
    await expect(client.viewer.me()).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
