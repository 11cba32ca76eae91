import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi, TEST_ADMIN_TELEGRAM_ID, TEST_BOT_TOKEN } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { initDataFor, newTelegramId, signInitData } from '../../support/telegram.js';

const SIGN_IN = `mutation SignIn($initData: String!) {
  authenticateTelegram(initData: $initData) {
    accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
    user { id telegramId firstName lastName username languageCode isPremium tier isAdmin }
  }
}`;
const ME = `query { viewer { user { id telegramId firstName username } } }`;

interface SignInData {
  authenticateTelegram: {
    accessToken: string;
    accessTokenExpiresAt: string;
    refreshToken: string;
    refreshTokenExpiresAt: string;
    user: { id: string; telegramId: string; firstName: string; lastName: string | null; username: string | null; languageCode: string | null; isPremium: boolean; tier: string; isAdmin: boolean };
  };
}

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('authenticateTelegram', () => {
  it('creates the user on first sign-in with the profile Telegram sent, on the free tier', async () => {
    const id = newTelegramId();
    const initData = initDataFor(TEST_BOT_TOKEN, { id, first_name: 'Ada', last_name: 'L', username: 'ada', language_code: 'en', is_premium: true });
    const before = Date.now();
    const { authenticateTelegram: auth } = dataOf(await gql<SignInData>(api.url, SIGN_IN, { variables: { initData } }));
    expect(auth.user).toMatchObject({ telegramId: String(id), firstName: 'Ada', lastName: 'L', username: 'ada', languageCode: 'en', isPremium: true, tier: 'FREE', isAdmin: false });
    const accessLifetime = Date.parse(auth.accessTokenExpiresAt) - before;
    expect(accessLifetime).toBeGreaterThan(3590_000);
    expect(accessLifetime).toBeLessThanOrEqual(3601_000);
    const refreshLifetimeDays = (Date.parse(auth.refreshTokenExpiresAt) - before) / 86_400_000;
    expect(refreshLifetimeDays).toBeGreaterThan(29.9);
    expect(refreshLifetimeDays).toBeLessThan(30.1);

    const me = dataOf(await gql<{ viewer: { user: { id: string; firstName: string } } }>(api.url, ME, { token: auth.accessToken }));
    expect(me.viewer.user).toMatchObject({ id: auth.user.id, firstName: 'Ada' });
  });

  it('signs the same person in again as the same user and refreshes their profile', async () => {
    const id = newTelegramId();
    const first = dataOf(await gql<SignInData>(api.url, SIGN_IN, { variables: { initData: initDataFor(TEST_BOT_TOKEN, { id, first_name: 'Old' }) } }));
    const second = dataOf(await gql<SignInData>(api.url, SIGN_IN, { variables: { initData: initDataFor(TEST_BOT_TOKEN, { id, first_name: 'New', username: 'renamed' }) } }));
    expect(second.authenticateTelegram.user.id).toBe(first.authenticateTelegram.user.id);
    expect(second.authenticateTelegram.user).toMatchObject({ firstName: 'New', username: 'renamed' });
  });

  it('makes one user when the first sign-in arrives many times at once', async () => {
    const id = newTelegramId();
    const initData = initDataFor(TEST_BOT_TOKEN, { id, first_name: 'Twin' });
    const results = await Promise.all(Array.from({ length: 12 }, () => gql<SignInData>(api.url, SIGN_IN, { variables: { initData } })));
    const ids = new Set(results.map((r) => dataOf(r).authenticateTelegram.user.id));
    expect(ids.size).toBe(1);
  });

  it('marks users listed in ADMIN_TELEGRAM_IDS as admins', async () => {
    const initData = initDataFor(TEST_BOT_TOKEN, { id: Number(TEST_ADMIN_TELEGRAM_ID), first_name: 'Root' });
    const { authenticateTelegram: auth } = dataOf(await gql<SignInData>(api.url, SIGN_IN, { variables: { initData } }));
    expect(auth.user.isAdmin).toBe(true);
  });

  it('accepts initData that carries extra fields Telegram adds (signature, chat_type)', async () => {
    const initData = signInitData(TEST_BOT_TOKEN, {
      user: JSON.stringify({ id: newTelegramId(), first_name: 'Extra' }),
      auth_date: String(Math.floor(Date.now() / 1000)),
      chat_type: 'private',
      chat_instance: '-123456789',
      signature: 'ed25519-signature-as-telegram-sends-it',
    });
    const response = await gql<SignInData>(api.url, SIGN_IN, { variables: { initData } });
    expect(dataOf(response).authenticateTelegram.user.firstName).toBe('Extra');
  });
});

describe('authenticateTelegram refusals', () => {
  const user = () => ({ id: newTelegramId(), first_name: 'Mallory' });

  it('refuses initData signed with another bot token with UNAUTHENTICATED', async () => {
    const response = await gql(api.url, SIGN_IN, { variables: { initData: initDataFor('7000000002:AAanother-bot', user()) } });
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/signature is not valid/);
  });

  it('refuses initData whose fields were altered after signing with UNAUTHENTICATED', async () => {
    const signed = initDataFor(TEST_BOT_TOKEN, { id: 111, first_name: 'Eve' });
    const tampered = signed.replace(encodeURIComponent('"id":111'), encodeURIComponent('"id":112'));
    expect(tampered).not.toBe(signed);
    const response = await gql(api.url, SIGN_IN, { variables: { initData: tampered } });
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses initData older than 24 hours with UNAUTHENTICATED and says to reopen', async () => {
    const stale = new Date(Date.now() - 24 * 3600_000 - 60_000);
    const response = await gql(api.url, SIGN_IN, { variables: { initData: initDataFor(TEST_BOT_TOKEN, user(), stale) } });
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toMatch(/older than 24 h/);
  });

  it('accepts initData just inside the 24 hour window', async () => {
    const recent = new Date(Date.now() - 23 * 3600_000);
    const response = await gql<SignInData>(api.url, SIGN_IN, { variables: { initData: initDataFor(TEST_BOT_TOKEN, user(), recent) } });
    expect(dataOf(response).authenticateTelegram.user.firstName).toBe('Mallory');
  });

  it.each([
    ['an empty string', ''],
    ['no hash', 'user=%7B%22id%22%3A1%7D&auth_date=1'],
    ['a hash that is not hex', 'user=x&auth_date=1&hash=zz'],
    ['random text', 'this is not init data'],
  ])('refuses %s with BAD_USER_INPUT on field initData', async (_label, initData) => {
    const response = await gql(api.url, SIGN_IN, { variables: { initData } });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('initData');
  });

  it('refuses correctly signed initData without a user with BAD_USER_INPUT', async () => {
    const initData = signInitData(TEST_BOT_TOKEN, { auth_date: String(Math.floor(Date.now() / 1000)) });
    const response = await gql(api.url, SIGN_IN, { variables: { initData } });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps serving after refusals', async () => {
    const response = await gql<SignInData>(api.url, SIGN_IN, { variables: { initData: initDataFor(TEST_BOT_TOKEN, user()) } });
    expect(dataOf(response).authenticateTelegram.accessToken).toBeTruthy();
  });
});
