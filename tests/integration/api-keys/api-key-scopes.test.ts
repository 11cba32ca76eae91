import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey, signIn } from '../../support/sessions.js';

const CREDITS = `query { viewer { credits { available held } } }`;
const PLACE_HOLD = `mutation Hold($input: PlaceHoldInput!) { placeHold(input: $input) { id } }`;
const holdInput = () => ({ input: { amount: 1, reason: 'scope test', idempotencyKey: randomUUID() } });

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('scopes on API keys', () => {
  it('refuses a field that needs another scope with FORBIDDEN naming the scope and the field', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken, ['tracks:read']);
    const response = await gql<{ viewer: { user: { id: string } } | null }>(api.url, `query { viewer { user { id } credits { available } } }`, { apiKey: key });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
    expect(response.errors?.[0]?.message).toContain('"credits:read"');
    expect(response.errors?.[0]?.path).toEqual(['viewer', 'credits']);
  });

  it('lets the same field through for a key that holds the scope, and for a session', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken, ['credits:read']);
    const byKey = dataOf(await gql<{ viewer: { credits: { held: number } } }>(api.url, CREDITS, { apiKey: key }));
    const bySession = dataOf(await gql<{ viewer: { credits: { held: number } } }>(api.url, CREDITS, { token: session.accessToken }));
    expect(byKey).toEqual(bySession);
  });

  it('refuses a mutation that needs another scope with FORBIDDEN before it does anything', async () => {
    const session = await signIn(api.url);
    const { key } = await createApiKey(api.url, session.accessToken, ['credits:read']);
    const response = await gql(api.url, PLACE_HOLD, { apiKey: key, variables: holdInput() });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
    expect(response.errors?.[0]?.message).toContain('"credits:hold"');
    const after = dataOf(await gql<{ viewer: { credits: { held: number } } }>(api.url, CREDITS, { apiKey: key }));
    expect(after.viewer.credits.held).toBe(0);
  });
});
