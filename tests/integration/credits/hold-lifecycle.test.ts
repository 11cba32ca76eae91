import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

const HOLD_FIELDS = 'id amount charged status reason reference idempotencyKey expiresAt resolvedAt';
const PLACE = `mutation($input: PlaceHoldInput!) { placeHold(input: $input) { ${HOLD_FIELDS} } }`;
const COMMIT = `mutation($id: ID!, $amount: Int) { commitHold(id: $id, amount: $amount) { ${HOLD_FIELDS} } }`;
const RELEASE = `mutation($id: ID!) { releaseHold(id: $id) { ${HOLD_FIELDS} } }`;
const BALANCE = `{ viewer { credits { available held tier dailyGrant } } }`;

interface HoldData {
  id: string;
  amount: number;
  charged: number | null;
  status: string;
  reason: string;
}

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

/** A new user whose balance is exactly `credits` (the daily grant is taken first, then topped up). */
async function userWith(credits: number): Promise<SignedInUser> {
  const user = await signInNewUser(api.url);
  const balance = dataOf(await gql<{ viewer: { credits: { available: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits.available;
  const em = api.infra.orm.em.fork();
  const delta = credits - balance;
  if (delta !== 0) {
    await api.services.credits.credit(em, { userId: user.userId, amount: delta, type: TransactionType.ADJUST, reason: 'test setup', idempotencyKey: randomUUID() });
  }
  return user;
}

async function balanceOf(user: SignedInUser): Promise<{ available: number; held: number }> {
  const { available, held } = dataOf(await gql<{ viewer: { credits: { available: number; held: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
  return { available, held };
}

async function place(user: SignedInUser, amount: number, idempotencyKey = randomUUID(), extra: Record<string, unknown> = {}) {
  return gql<{ placeHold: HoldData }>(api.url, PLACE, { token: user.token, variables: { input: { amount, reason: 'render', idempotencyKey, ...extra } } });
}

describe('viewer.credits', () => {
  it('opens the account on first look with the free tier daily grant', async () => {
    const user = await signInNewUser(api.url);
    const credits = dataOf(await gql<{ viewer: { credits: { available: number; held: number; tier: string; dailyGrant: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
    expect(credits).toEqual({ available: 50, held: 0, tier: 'FREE', dailyGrant: 50 });
    // Looking again the same day grants nothing more.
    expect(await balanceOf(user)).toEqual({ available: 50, held: 0 });
  });
});

describe('placeHold', () => {
  it('moves credits from available to held', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 30)).placeHold;
    expect(hold).toMatchObject({ amount: 30, status: 'PENDING', charged: null });
    expect(await balanceOf(user)).toEqual({ available: 70, held: 30 });
  });

  it('refuses more than available with INSUFFICIENT_CREDITS and changes nothing', async () => {
    const user = await userWith(20);
    const response = await place(user, 21);
    expect(codesOf(response)).toEqual(['INSUFFICIENT_CREDITS']);
    expect(response.errors?.[0]?.message).toMatch(/21 needed, 20 available/);
    expect(await balanceOf(user)).toEqual({ available: 20, held: 0 });
  });

  it.each([
    ['zero', { amount: 0 }, 'amount'],
    ['a negative amount', { amount: -5 }, 'amount'],
    ['a too long ttl', { amount: 1, ttlSeconds: 86_401 }, 'ttlSeconds'],
    ['an empty reason', { amount: 1, reason: ' ' }, 'reason'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const user = await userWith(10);
    const response = await gql(api.url, PLACE, { token: user.token, variables: { input: { reason: 'r', idempotencyKey: randomUUID(), ...input } } });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
    expect(await balanceOf(user)).toEqual({ available: 10, held: 0 });
  });

  it('returns the first hold for a replay with the same key and request, holding once', async () => {
    const user = await userWith(100);
    const key = randomUUID();
    const first = dataOf(await place(user, 40, key)).placeHold;
    const second = dataOf(await place(user, 40, key)).placeHold;
    expect(second.id).toBe(first.id);
    expect(await balanceOf(user)).toEqual({ available: 60, held: 40 });
  });

  it('refuses the same key with a different amount with IDEMPOTENCY_KEY_REUSED naming amount', async () => {
    const user = await userWith(100);
    const key = randomUUID();
    dataOf(await place(user, 40, key));
    const response = await place(user, 41, key);
    expect(codesOf(response)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(response.errors?.[0]?.extensions?.field).toBe('amount');
    const other = await place(user, 40, key, { reason: 'something else' });
    expect(other.errors?.[0]?.extensions?.field).toBe('reason');
    expect(await balanceOf(user)).toEqual({ available: 60, held: 40 });
  });
});

describe('commitHold', () => {
  it('commits part and returns the rest to available', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    const committed = dataOf(await gql<{ commitHold: HoldData }>(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 25 } })).commitHold;
    expect(committed).toMatchObject({ status: 'COMMITTED', charged: 25 });
    expect(await balanceOf(user)).toEqual({ available: 75, held: 0 });
  });

  it('charges the whole hold when no amount is given', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    dataOf(await gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id } }));
    expect(await balanceOf(user)).toEqual({ available: 60, held: 0 });
  });

  it('refuses a charge above the hold with BAD_USER_INPUT and leaves it pending', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    const response = await gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 41 } });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(await balanceOf(user)).toEqual({ available: 60, held: 40 });
  });

  it('rejects a second resolve with CONFLICT', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    dataOf(await gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 10 } }));
    expect(codesOf(await gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 10 } }))).toEqual(['CONFLICT']);
    expect(codesOf(await gql(api.url, RELEASE, { token: user.token, variables: { id: hold.id } }))).toEqual(['CONFLICT']);
    expect(await balanceOf(user)).toEqual({ available: 90, held: 0 });
  });

  it("answers NOT_FOUND for another user's hold and leaves it alone", async () => {
    const owner = await userWith(100);
    const stranger = await userWith(100);
    const hold = dataOf(await place(owner, 40)).placeHold;
    expect(codesOf(await gql(api.url, COMMIT, { token: stranger.token, variables: { id: hold.id } }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await gql(api.url, RELEASE, { token: stranger.token, variables: { id: hold.id } }))).toEqual(['NOT_FOUND']);
    const seen = await gql<{ node: unknown }>(api.url, `query($id: ID!) { node(id: $id) { id } }`, { token: stranger.token, variables: { id: hold.id } });
    expect(dataOf(seen).node).toBeNull();
    expect(await balanceOf(owner)).toEqual({ available: 60, held: 40 });
  });
});

describe('releaseHold', () => {
  it('returns every held credit', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    const released = dataOf(await gql<{ releaseHold: HoldData }>(api.url, RELEASE, { token: user.token, variables: { id: hold.id } })).releaseHold;
    expect(released.status).toBe('RELEASED');
    expect(await balanceOf(user)).toEqual({ available: 100, held: 0 });
  });

  it('resolves once when commit and release race: one wins, the other gets CONFLICT', async () => {
    const user = await userWith(1000);
    for (let round = 0; round < 10; round += 1) {
      const hold = dataOf(await place(user, 10)).placeHold;
      const [commit, release] = await Promise.all([
        gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 10 } }),
        gql(api.url, RELEASE, { token: user.token, variables: { id: hold.id } }),
      ]);
      const outcomes = [commit, release].map((r) => (r.errors ? codesOf(r)[0] : 'ok')).sort();
      expect(outcomes).toEqual(['CONFLICT', 'ok']);
    }
    const { held } = await balanceOf(user);
    expect(held).toBe(0);
  });
});

describe('viewer.transactions', () => {
  it('journals every movement with balances after, newest first', async () => {
    const user = await userWith(100);
    const hold = dataOf(await place(user, 40)).placeHold;
    dataOf(await gql(api.url, COMMIT, { token: user.token, variables: { id: hold.id, amount: 30 } }));
    const page = dataOf(
      await gql<{ viewer: { transactions: { totalCount: number; edges: Array<{ node: { type: string; availableDelta: number; heldDelta: number; availableAfter: number; heldAfter: number } }> } } }>(
        api.url,
        `{ viewer { transactions(first: 10) { totalCount edges { node { type availableDelta heldDelta availableAfter heldAfter } } } } }`,
        { token: user.token },
      ),
    ).viewer.transactions;
    const entries = page.edges.map((e) => e.node);
    expect(entries.slice(0, 3)).toEqual([
      { type: 'RELEASE', availableDelta: 10, heldDelta: -10, availableAfter: 70, heldAfter: 0 },
      { type: 'COMMIT', availableDelta: 0, heldDelta: -30, availableAfter: 60, heldAfter: 10 },
      { type: 'HOLD', availableDelta: -40, heldDelta: 40, availableAfter: 60, heldAfter: 40 },
    ]);
    // The journal sums to the balance.
    const sum = entries.reduce((acc, e) => ({ available: acc.available + e.availableDelta, held: acc.held + e.heldDelta }), { available: 0, held: 0 });
    expect(sum).toEqual(await balanceOf(user));
    expect(page.totalCount).toBe(entries.length);
  });

  it('filters by type and pages with cursors', async () => {
    const user = await userWith(100);
    for (let i = 0; i < 5; i += 1) dataOf(await place(user, 1));
    const query = `query($after: String) { viewer { transactions(first: 2, after: $after, type: HOLD) { totalCount pageInfo { hasNextPage endCursor } edges { node { type } } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pageNo = 0; pageNo < 5; pageNo += 1) {
      const conn: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { type: string } }> } = dataOf(
        await gql<{ viewer: { transactions: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { type: string } }> } } }>(api.url, query, { token: user.token, variables: { after } }),
      ).viewer.transactions;
      expect(conn.totalCount).toBe(5);
      seen.push(...conn.edges.map((e) => e.node.type));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(['HOLD', 'HOLD', 'HOLD', 'HOLD', 'HOLD']);
  });
});

describe('scopes', () => {
  it('lets an API key with credits:hold place holds and refuses one without it with FORBIDDEN', async () => {
    const user = await userWith(100);
    const create = `mutation($scopes: [String!]!) { createApiKey(input: { name: "k", scopes: $scopes }) { key } }`;
    const withHold = dataOf(await gql<{ createApiKey: { key: string } }>(api.url, create, { token: user.token, variables: { scopes: ['credits:hold', 'credits:read'] } })).createApiKey.key;
    const readOnly = dataOf(await gql<{ createApiKey: { key: string } }>(api.url, create, { token: user.token, variables: { scopes: ['credits:read'] } })).createApiKey.key;
    const input = { amount: 5, reason: 'api', idempotencyKey: randomUUID() };
    expect(dataOf(await gql<{ placeHold: HoldData }>(api.url, PLACE, { apiKey: withHold, variables: { input } })).placeHold.amount).toBe(5);
    const refused = await gql(api.url, PLACE, { apiKey: readOnly, variables: { input: { ...input, idempotencyKey: randomUUID() } } });
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors?.[0]?.message).toMatch(/credits:hold/);
    expect(await balanceOf(user)).toEqual({ available: 95, held: 5 });
  });
});
