import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi, TEST_ADMIN_TELEGRAM_ID, TEST_BOT_TOKEN } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { initDataFor } from '../../support/telegram.js';
import { signInNewUser } from '../../support/users.js';

let api: ApiServer;
let adminToken: string;
beforeAll(async () => {
  api = await startTestApi();
  const signIn = await gql<{ authenticateTelegram: { accessToken: string } }>(
    api.url,
    `mutation($initData: String!) { authenticateTelegram(initData: $initData) { accessToken } }`,
    { variables: { initData: initDataFor(TEST_BOT_TOKEN, { id: Number(TEST_ADMIN_TELEGRAM_ID), first_name: 'Admin' }) } },
  );
  adminToken = dataOf(signIn).authenticateTelegram.accessToken;
});
afterAll(async () => {
  await api.stop();
});

const GRANT = `mutation($userId: ID!, $amount: Int!, $reason: String!, $key: String) {
  grantCredits(userId: $userId, amount: $amount, reason: $reason, idempotencyKey: $key) { type amount availableAfter reason }
}`;
const ADJUST = `mutation($userId: ID!, $amount: Int!, $reason: String!) { adjustCredits(userId: $userId, amount: $amount, reason: $reason) { type amount availableAfter } }`;
const BALANCE = `{ viewer { credits { available held tier } } }`;

describe('grantCredits', () => {
  it('credits the user through the journal and records who and why in the audit log', async () => {
    const user = await signInNewUser(api.url);
    const entry = dataOf(await gql<{ grantCredits: { type: string; amount: number; availableAfter: number } }>(api.url, GRANT, { token: adminToken, variables: { userId: user.id, amount: 200, reason: 'launch bonus' } })).grantCredits;
    expect(entry).toMatchObject({ type: 'GRANT', amount: 200 });
    const balance = dataOf(await gql<{ viewer: { credits: { available: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
    expect(balance.available).toBe(250);
    const audit = dataOf(await gql<{ auditLog: Array<{ action: string; reason: string; targetUserId: string; details: { amount: number } }> }>(api.url, `{ auditLog(first: 50) { action reason targetUserId details } }`, { token: adminToken })).auditLog;
    expect(audit.find((a) => a.targetUserId === user.id)).toMatchObject({ action: 'credits.grant', reason: 'launch bonus', details: { amount: 200 } });
  });

  it('grants once for a repeated idempotency key', async () => {
    const user = await signInNewUser(api.url);
    const key = randomUUID();
    await gql(api.url, GRANT, { token: adminToken, variables: { userId: user.id, amount: 30, reason: 'support refund', key } });
    await gql(api.url, GRANT, { token: adminToken, variables: { userId: user.id, amount: 30, reason: 'support refund', key } });
    const balance = dataOf(await gql<{ viewer: { credits: { available: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
    expect(balance.available).toBe(80);
  });

  it('refuses a user who is not an admin with FORBIDDEN and changes nothing', async () => {
    const user = await signInNewUser(api.url);
    const response = await gql(api.url, GRANT, { token: user.token, variables: { userId: user.id, amount: 1_000, reason: 'self service' } });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
    const balance = dataOf(await gql<{ viewer: { credits: { available: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
    expect(balance.available).toBe(50);
  });

  it('answers NOT_FOUND for an unknown user and BAD_USER_INPUT for a missing reason', async () => {
    const user = await signInNewUser(api.url);
    const unknown = Buffer.from(`User:${randomUUID()}`).toString('base64url');
    expect(codesOf(await gql(api.url, GRANT, { token: adminToken, variables: { userId: unknown, amount: 5, reason: 'missing user' } }))).toEqual(['NOT_FOUND']);
    const noReason = await gql(api.url, GRANT, { token: adminToken, variables: { userId: user.id, amount: 5, reason: ' ' } });
    expect(codesOf(noReason)).toEqual(['BAD_USER_INPUT']);
    expect(noReason.errors?.[0]?.extensions?.field).toBe('reason');
  });
});

describe('adjustCredits', () => {
  it('debits with a negative amount but never below zero (INSUFFICIENT_CREDITS)', async () => {
    const user = await signInNewUser(api.url);
    dataOf(await gql(api.url, BALANCE, { token: user.token }));
    const debit = dataOf(await gql<{ adjustCredits: { type: string; amount: number; availableAfter: number } }>(api.url, ADJUST, { token: adminToken, variables: { userId: user.id, amount: -20, reason: 'chargeback' } })).adjustCredits;
    expect(debit).toEqual({ type: 'ADJUST', amount: -20, availableAfter: 30 });
    const tooMuch = await gql(api.url, ADJUST, { token: adminToken, variables: { userId: user.id, amount: -31, reason: 'chargeback' } });
    expect(codesOf(tooMuch)).toEqual(['INSUFFICIENT_CREDITS']);
    const balance = dataOf(await gql<{ viewer: { credits: { available: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
    expect(balance.available).toBe(30);
  });
});

describe('userTransactions', () => {
  it("lets an admin read any user's journal", async () => {
    const user = await signInNewUser(api.url);
    await gql(api.url, GRANT, { token: adminToken, variables: { userId: user.id, amount: 7, reason: 'goodwill' } });
    const journal = dataOf(await gql<{ userTransactions: { totalCount: number; edges: Array<{ node: { type: string; amount: number } }> } }>(
      api.url,
      `query($userId: ID!) { userTransactions(userId: $userId, first: 10) { totalCount edges { node { type amount } } } }`,
      { token: adminToken, variables: { userId: user.id } },
    )).userTransactions;
    expect(journal.edges.map((e) => e.node)).toEqual([{ type: 'GRANT', amount: 7 }]);
    expect(journal.totalCount).toBe(1);
  });
});

describe('setUserTier and updatePrice', () => {
  it('moves a user to pro, which raises the daily grant', async () => {
    const user = await signInNewUser(api.url);
    const changed = dataOf(await gql<{ setUserTier: { tier: string } }>(api.url, `mutation($userId: ID!) { setUserTier(userId: $userId, tier: PRO, reason: "paid plan") { tier } }`, { token: adminToken, variables: { userId: user.id } })).setUserTier;
    expect(changed.tier).toBe('PRO');
    const credits = dataOf(await gql<{ viewer: { credits: { tier: string; dailyGrant: number; available: number } } }>(api.url, `{ viewer { credits { tier dailyGrant available } } }`, { token: user.token })).viewer.credits;
    expect(credits).toEqual({ tier: 'PRO', dailyGrant: 500, available: 500 });
  });

  it('changes a catalog price that everyone then sees', async () => {
    const model = `test-${randomUUID().slice(0, 8)}`;
    const created = dataOf(await gql<{ updatePrice: { model: string; credits: number } }>(
      api.url,
      `mutation($model: String!) { updatePrice(input: { model: $model, description: "Test model", credits: 12, creditsPerExtraMinute: 3, reason: "new model" }) { model credits } }`,
      { token: adminToken, variables: { model } },
    )).updatePrice;
    expect(created).toEqual({ model, credits: 12 });
    await gql(api.url, `mutation($model: String!) { updatePrice(input: { model: $model, credits: 15, reason: "repricing" }) { credits } }`, { token: adminToken, variables: { model } });
    const catalog = dataOf(await gql<{ priceCatalog: Array<{ model: string; credits: number }> }>(api.url, `{ priceCatalog { model credits } }`)).priceCatalog;
    expect(catalog.find((p) => p.model === model)?.credits).toBe(15);
    await gql(api.url, `mutation($model: String!) { updatePrice(input: { model: $model, active: false, reason: "cleanup" }) { active } }`, { token: adminToken, variables: { model } });
  });
});

describe('topUpProviderBalance', () => {
  it('raises the provider balance and shows it to admins only', async () => {
    const before = dataOf(await gql<{ providerAccounts: Array<{ provider: string; balance: number }> }>(api.url, `{ providerAccounts { provider balance } }`, { token: adminToken })).providerAccounts;
    const local = before.find((p) => p.provider === 'local')!;
    const after = dataOf(await gql<{ topUpProviderBalance: { balance: number } }>(api.url, `mutation { topUpProviderBalance(provider: "local", amount: 500, reason: "monthly invoice") { balance } }`, { token: adminToken })).topUpProviderBalance;
    expect(after.balance).toBeGreaterThanOrEqual(local.balance + 500);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const gauge = /^provider_balance\{[^}]*provider="local"[^}]*\} (\d+)$/m.exec(metrics);
    expect(Number(gauge?.[1])).toBeGreaterThanOrEqual(after.balance);
    expect(metrics).toMatch(/^provider_balance_low_threshold\{[^}]*provider="local"/m);
    const user = await signInNewUser(api.url);
    expect(codesOf(await gql(api.url, `{ providerAccounts { balance } }`, { token: user.token }))).toEqual(['FORBIDDEN']);
  });
});
