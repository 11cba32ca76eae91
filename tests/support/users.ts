import { TEST_BOT_TOKEN } from './api.js';
import { dataOf, gql } from './graphql-client.js';
import { initDataFor, newTelegramId } from './telegram.js';

export interface SignedInUser {
  token: string;
  refreshToken: string;
  /** Global id. */
  id: string;
  /** Database id. */
  userId: string;
  telegramId: number;
}

/** Signs a brand-new user in through authenticateTelegram, as the Mini App would. */
export async function signInNewUser(baseUrl: string, firstName = 'Tester'): Promise<SignedInUser> {
  const telegramId = newTelegramId();
  const response = await gql<{ authenticateTelegram: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    baseUrl,
    `mutation($initData: String!) { authenticateTelegram(initData: $initData) { accessToken refreshToken user { id } } }`,
    { variables: { initData: initDataFor(TEST_BOT_TOKEN, { id: telegramId, first_name: firstName }) } },
  );
  const auth = dataOf(response).authenticateTelegram;
  const userId = Buffer.from(auth.user.id, 'base64url').toString('utf8').split(':')[1]!;
  return { token: auth.accessToken, refreshToken: auth.refreshToken, id: auth.user.id, userId, telegramId };
}
