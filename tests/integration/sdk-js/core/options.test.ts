import { afterEach, describe, expect, it } from 'vitest';
import { APIConnectionError, APITimeoutError, APIUserAbortError, MusicVerse, type Fetch } from '../../../../sdk-js/src/index.js';
import { ok, startFakeGraphQL, type FakeGraphQLServer } from '../sdk.harness.js';

const ME = { viewer: { user: { id: 'VXNlcjox', firstName: 'Ada' } } };

let fake: FakeGraphQLServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

/** Resolves once the fake server has received `count` requests. */
async function received(count: number): Promise<void> {
  while (fake!.received.length < count) await new Promise((resolve) => setImmediate(resolve));
}

describe('timeoutMs', () => {
  it('throws APITimeoutError when the server does not answer in time', async () => {
    fake = await startFakeGraphQL(['hang']);
    const client = new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: fake.url, maxRetries: 0 });
    const started = Date.now();
    const error = await client.viewer.me({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error).toMatchObject({ code: 'API_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fake.received).toHaveLength(1);
  });

  it('retries a timed-out query and succeeds when an attempt answers in time', async () => {
    fake = await startFakeGraphQL(['hang', ok(ME)]);
    const client = new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: fake.url, timeoutMs: 200 });
    expect((await client.viewer.me()).firstName).toBe('Ada');
    expect(fake.received).toHaveLength(2);
  });
});

describe('signal', () => {
  it('aborts a request in flight with APIUserAbortError and does not retry it', async () => {
    fake = await startFakeGraphQL(['hang']);
    const client = new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: fake.url });
    const controller = new AbortController();
    const pending = client.viewer.me({ signal: controller.signal }).catch((e: unknown) => e);
    await received(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(fake.received).toHaveLength(1);
  });

  it('refuses to start with an already aborted signal, sending nothing', async () => {
    fake = await startFakeGraphQL([ok(ME)]);
    const client = new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: fake.url });
    await expect(client.viewer.me({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(fake.received).toHaveLength(0);
  });
});

describe('credentials and transport', () => {
  it('sends an API key as X-API-Key and an access token as Authorization: Bearer', async () => {
    fake = await startFakeGraphQL([ok(ME)]);
    await new MusicVerse({ apiKey: 'amv_live_key' }, { baseUrl: fake.url }).viewer.me();
    await new MusicVerse({ accessToken: 'token-123' }, { baseUrl: fake.url }).viewer.me();
    expect(fake.received[0]!.headers).toMatchObject({ 'x-api-key': 'amv_live_key' });
    expect(fake.received[0]!.headers.authorization).toBeUndefined();
    expect(fake.received[1]!.headers).toMatchObject({ authorization: 'Bearer token-123' });
    expect(fake.received[1]!.headers['x-api-key']).toBeUndefined();
    expect(fake.received[0]!.body).toMatchObject({ operationName: 'Viewer' });
  });

  it('uses the fetch it is given, and reports a refused connection as APIConnectionError', async () => {
    const calls: string[] = [];
    const refusing: Fetch = async (url) => {
      calls.push(url);
      throw new TypeError('fetch failed');
    };
    const client = new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: 'http://api.example.test/', fetch: refusing, maxRetries: 1 });
    const error = await client.viewer.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ code: 'API_CONNECTION' });
    expect(calls).toEqual(['http://api.example.test/graphql', 'http://api.example.test/graphql']);
  });
});
