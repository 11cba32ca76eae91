import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey, eventually, signIn } from '../../support/sessions.js';

const ME = `query { viewer { user { id } } }`;

let a: ApiServer;
let b: ApiServer;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestApi(), startTestApi()]);
});
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

/** Cuts instance B's Redis subscription, runs `whileAway`, then lets B reconnect. */
async function withBDeaf(whileAway: () => Promise<void>): Promise<void> {
  b.infra.subscriber.disconnect(false);
  await eventually(async () => (b.infra.subscriber.status === 'end' ? true : undefined), 'the subscriber to close');
  await whileAway();
  await b.infra.subscriber.connect();
}

describe('revocations missed while Redis was away', () => {
  it('are read back from the database when the subscriber reconnects (API key)', async () => {
    const session = await signIn(a.url);
    const { key, apiKey } = await createApiKey(a.url, session.accessToken, ['tracks:read']);
    dataOf(await gql(b.url, ME, { apiKey: key }));
    await withBDeaf(async () => {
      dataOf(await gql(a.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { token: session.accessToken, variables: { id: apiKey.id } }));
    });
    // The catch-up runs after the reconnect; poll B briefly (one database read away).
    await eventually(async () => (codesOf(await gql(b.url, ME, { apiKey: key }))[0] === 'UNAUTHENTICATED' ? true : undefined), 'B to refuse the revoked key');
  });

  it('are read back from the database when the subscriber reconnects (session)', async () => {
    const session = await signIn(a.url);
    dataOf(await gql(b.url, ME, { token: session.accessToken }));
    await withBDeaf(async () => {
      dataOf(await gql(a.url, `mutation { signOut }`, { token: session.accessToken }));
    });
    await eventually(async () => (codesOf(await gql(b.url, ME, { token: session.accessToken }))[0] === 'UNAUTHENTICATED' ? true : undefined), 'B to refuse the ended session');
    expect(codesOf(await gql(b.url, ME, { token: session.accessToken }))).toEqual(['UNAUTHENTICATED']);
  });
});
