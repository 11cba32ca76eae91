import { inject } from 'vitest';
import pg from 'pg';
import { TEST_BOT_TOKEN } from './api.js';
import { dataOf, gql } from './graphql-client.js';
import { initDataFor, newTelegramId } from './telegram.js';

/** A fresh user signed in through Telegram, as the Mini App would. */
export interface TestSession {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

const SIGN_IN = `mutation SignIn($initData: String!) {
  authenticateTelegram(initData: $initData) { accessToken refreshToken user { id } }
}`;

export async function signIn(baseUrl: string, firstName = 'Tester'): Promise<TestSession> {
  const initData = initDataFor(TEST_BOT_TOKEN, { id: newTelegramId(), first_name: firstName });
  const { authenticateTelegram: auth } = dataOf(
    await gql<{ authenticateTelegram: { accessToken: string; refreshToken: string; user: { id: string } } }>(baseUrl, SIGN_IN, { variables: { initData } }),
  );
  return { userId: auth.user.id, accessToken: auth.accessToken, refreshToken: auth.refreshToken };
}

export const CREATE_API_KEY = `mutation CreateKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id name prefix scopes status expiresAt lastUsedAt revokedAt } }
}`;

export interface CreatedApiKey {
  key: string;
  apiKey: { id: string; name: string; prefix: string; scopes: string[]; status: string; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null };
}

/** Creates an API key for the session's user and returns it with the key in clear. */
export async function createApiKey(baseUrl: string, accessToken: string, scopes: string[] = ['tracks:read'], name = 'test key'): Promise<CreatedApiKey> {
  const response = await gql<{ createApiKey: CreatedApiKey }>(baseUrl, CREATE_API_KEY, { token: accessToken, variables: { input: { name, scopes } } });
  return dataOf(response).createApiKey;
}

/** Runs `fn` with a direct PostgreSQL connection to the run's database, to read what the API stored. */
export async function withDatabase<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Retries `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
