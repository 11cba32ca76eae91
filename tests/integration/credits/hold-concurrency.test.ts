import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import { systemClock } from '../../../server/core/clock.js';
import { testEnv } from '../../support/api.js';
import { spawnApi, type ChildServer } from '../../support/child-api.js';
import { openTestDatabase } from '../../support/database.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * Two API processes (compiled, each with its own pool) serve one account at once, so the
 * races happen between processes and inside PostgreSQL, not inside one event loop.
 */
let apis: ChildServer[];
let orm: MikroORM;
beforeAll(async () => {
  apis = await Promise.all([spawnApi(testEnv()), spawnApi(testEnv())]);
  orm = await openTestDatabase();
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await orm.close();
});

const PLACE = `mutation($input: PlaceHoldInput!) { placeHold(input: $input) { id amount } }`;
const COMMIT = `mutation($id: ID!) { commitHold(id: $id) { id status } }`;
const RELEASE = `mutation($id: ID!) { releaseHold(id: $id) { id status } }`;

async function fundedUser(credits: number): Promise<SignedInUser> {
  const user = await signInNewUser(apis[0]!.url);
  const ledger = new CreditsService(systemClock);
  const em = orm.em.fork();
  await ledger.ensureAccount(em, user.userId);
  await ledger.grantDaily(em, user.userId);
  const { available } = await ledger.balance(em, user.userId);
  await ledger.credit(em, { userId: user.userId, amount: credits - available, type: TransactionType.ADJUST, reason: 'setup', idempotencyKey: randomUUID() });
  return user;
}

/** Sends `count` requests at once, alternating between the two API processes. */
function fanOut<T>(count: number, send: (url: string, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(apis[i % apis.length]!.url, i)));
}

describe('placeHold under concurrency', () => {
  it('succeeds exactly as far as the balance allows across 300 simultaneous holds', async () => {
    const user = await fundedUser(1_000);
    const responses = await fanOut(300, (url) =>
      gql<{ placeHold: { id: string } }>(url, PLACE, { token: user.token, variables: { input: { amount: 7, reason: 'race', idempotencyKey: randomUUID() } } }),
    );
    const placed = responses.filter((r) => !r.errors);
    const refused = responses.filter((r) => r.errors);
    expect(placed).toHaveLength(Math.floor(1_000 / 7));
    expect(new Set(refused.flatMap((r) => codesOf(r)))).toEqual(new Set(['INSUFFICIENT_CREDITS']));
    const balance = await new CreditsService(systemClock).balance(orm.em.fork(), user.userId);
    expect(balance).toEqual({ available: 1_000 % 7, held: 7 * placed.length });
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === user.userId)).toEqual([]);
  });

  it('creates one hold for 60 simultaneous replays of one idempotency key', async () => {
    const user = await fundedUser(500);
    const input = { amount: 25, reason: 'replay', idempotencyKey: randomUUID() };
    const responses = await fanOut(60, (url) => gql<{ placeHold: { id: string } }>(url, PLACE, { token: user.token, variables: { input } }));
    const ids = new Set(responses.map((r) => dataOf(r).placeHold.id));
    expect(ids.size).toBe(1);
    expect(await new CreditsService(systemClock).balance(orm.em.fork(), user.userId)).toEqual({ available: 475, held: 25 });
  });
});

describe('commit and release races', () => {
  it('resolves each of 40 holds exactly once when commits and releases arrive together from both processes', async () => {
    const user = await fundedUser(400);
    const holds = await fanOut(40, (url) =>
      gql<{ placeHold: { id: string } }>(url, PLACE, { token: user.token, variables: { input: { amount: 10, reason: 'race', idempotencyKey: randomUUID() } } }),
    );
    const ids = holds.map((r) => dataOf(r).placeHold.id);
    const attempts = await Promise.all(
      ids.flatMap((id) => [
        gql(apis[0]!.url, COMMIT, { token: user.token, variables: { id } }),
        gql(apis[1]!.url, RELEASE, { token: user.token, variables: { id } }),
        gql(apis[1]!.url, COMMIT, { token: user.token, variables: { id } }),
      ]),
    );
    const winners = attempts.filter((r) => !r.errors);
    expect(winners).toHaveLength(40);
    expect(new Set(attempts.filter((r) => r.errors).flatMap((r) => codesOf(r)))).toEqual(new Set(['CONFLICT']));
    const committed = winners.filter((r) => 'commitHold' in (r.data ?? {})).length;
    expect(await new CreditsService(systemClock).balance(orm.em.fork(), user.userId)).toEqual({ available: 400 - 10 * committed, held: 0 });
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === user.userId)).toEqual([]);
  });
});
