import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../../server/app.js';
import { MusicVerse, UnauthenticatedError } from '../../../../sdk-js/src/index.js';
import { startTestApi, TEST_BOT_TOKEN } from '../../../support/api.js';
import { initDataFor, newTelegramId } from '../../../support/telegram.js';

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('auth', () => {
  it('signs in with Telegram initData, acts as the user, refreshes the session and signs out', async () => {
    const anonymous = new MusicVerse({}, { baseUrl: api.url });
    const telegramId = newTelegramId();
    const session = await anonymous.auth.authenticateTelegram(initDataFor(TEST_BOT_TOKEN, { id: telegramId, first_name: 'Grace' }));
    expect(session.user).toMatchObject({ telegramId: String(telegramId), firstName: 'Grace', tier: 'FREE' });

    const me = await new MusicVerse({ accessToken: session.accessToken }, { baseUrl: api.url }).viewer.me();
    expect(me.id).toBe(session.user.id);

    const refreshed = await anonymous.auth.refreshSession(session.refreshToken);
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    const client = new MusicVerse({ accessToken: refreshed.accessToken }, { baseUrl: api.url });
    expect((await client.viewer.me()).id).toBe(session.user.id);

    expect(await client.auth.signOut()).toBe(true);
    await expect(client.viewer.me()).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a tampered initData with UnauthenticatedError', async () => {
    const initData = initDataFor(TEST_BOT_TOKEN, { id: newTelegramId(), first_name: 'Eve' }).replace('Eve', 'Mallory');
    await expect(new MusicVerse({}, { baseUrl: api.url }).auth.authenticateTelegram(initData)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('signs in locally with devSignIn on a DEV_LOGIN server', async () => {
    const telegramId = String(newTelegramId());
    const session = await new MusicVerse({}, { baseUrl: api.url }).auth.devSignIn({ telegramId, firstName: 'Ada' });
    expect(session.user).toMatchObject({ telegramId, firstName: 'Ada' });
  });
});
