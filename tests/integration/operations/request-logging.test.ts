import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../../server/app.js';
import { testConfig, TEST_BOT_TOKEN } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { captureLogs } from '../../support/log-capture.js';
import { initDataFor, newTelegramId } from '../../support/telegram.js';

/**
 * Request ids and what is logged while serving a request, read from the real pino output of an
 * API logging at trace, the most talkative level.
 */
const logs = captureLogs('trace', 'api-test');
let api: ApiServer;
beforeAll(async () => {
  api = await startApi(testConfig({ LOG_LEVEL: 'trace' }), logs.log);
});
afterAll(async () => {
  await api.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('is returned on every answer, GraphQL or not', async () => {
    const graphql = await gql(api.url, '{ __typename }');
    expect(graphql.headers.get('x-request-id')).toMatch(UUID);
    const health = await fetch(`${api.url}/healthz`);
    expect(health.headers.get('x-request-id')).toMatch(UUID);
    expect(graphql.headers.get('x-request-id')).not.toBe(health.headers.get('x-request-id'));
  });

  it('echoes a sane incoming id', async () => {
    const response = await gql(api.url, '{ __typename }', { headers: { 'x-request-id': 'lb-4f2a9c_77-trace' } });
    expect(response.headers.get('x-request-id')).toBe('lb-4f2a9c_77-trace');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'x'.repeat(65)],
    ['carrying other characters', 'id with spaces and "quotes"'],
    ['trying to forge a log line', 'abcdefgh\\n{"level":60}'],
  ])('replaces an incoming id that is %s', async (_label, id) => {
    const response = await gql(api.url, '{ __typename }', { headers: { 'x-request-id': id } });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('log lines', () => {
  it('carry the request id on every line written while serving a request', async () => {
    const before = logs.lines().length;
    const id = 'trace-every-line-0001';
    const response = await gql(api.url, 'query Scopes { apiKeyScopes { name } }', { headers: { 'x-request-id': id } });
    expect(response.status).toBe(200);
    const written = logs.lines().slice(before);
    expect(written.map((l) => l.msg)).toEqual(expect.arrayContaining(['graphql operation', 'graphql document', 'http request']));
    for (const line of written) expect(line.requestId).toBe(id);
    expect(written.find((l) => l.msg === 'graphql operation')).toMatchObject({ operationName: 'Scopes', operationType: 'query' });
    expect(written.find((l) => l.msg === 'http request')).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
  });

  it('never contain initData, its hash, tokens or API keys, even at trace', async () => {
    const before = logs.text().length;
    const initData = initDataFor(TEST_BOT_TOKEN, { id: newTelegramId(), first_name: 'Quiet' });
    const hash = new URLSearchParams(initData).get('hash') ?? '';
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    // Once in variables, once inlined in the document itself.
    const signIn = 'mutation ($initData: String!) { authenticateTelegram(initData: $initData) { accessToken refreshToken } }';
    const session = dataOf(await gql<{ authenticateTelegram: { accessToken: string; refreshToken: string } }>(api.url, signIn, { variables: { initData } })).authenticateTelegram;
    const inlined = `mutation { authenticateTelegram(initData: ${JSON.stringify(initData)}) { accessToken } }`;
    const second = dataOf(await gql<{ authenticateTelegram: { accessToken: string } }>(api.url, inlined)).authenticateTelegram;

    const refreshed = dataOf(
      await gql<{ refreshSession: { accessToken: string; refreshToken: string } }>(
        api.url,
        'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }',
        { variables: { t: session.refreshToken } },
      ),
    ).refreshSession;
    const created = dataOf(
      await gql<{ createApiKey: { key: string } }>(api.url, 'mutation { createApiKey(input: { name: "logged?", scopes: ["profile:read"] }) { key } }', {
        token: refreshed.accessToken,
      }),
    ).createApiKey;
    const viaKey = await gql(api.url, '{ viewer { user { id } } }', { apiKey: created.key });
    expect(viaKey.errors).toBeUndefined();
    const viaBearerKey = await gql(api.url, '{ viewer { user { id } } }', { headers: { authorization: `Bearer ${created.key}` } });
    expect(viaBearerKey.errors).toBeUndefined();
    // A refused credential is not echoed either.
    await gql(api.url, '{ viewer { user { id } } }', { apiKey: `${created.key}x` });
    // Nor is a query string, where a GET carries its variables.
    const viaGet = new URLSearchParams({ query: 'query ($t: ID!) { node(id: $t) { id } }', variables: JSON.stringify({ t: session.refreshToken }) });
    expect((await fetch(`${api.url}/graphql?${viaGet}`, { headers: { 'apollo-require-preflight': '1' } })).status).toBe(200);

    const written = logs.text().slice(before);
    expect(written.length).toBeGreaterThan(0);
    expect(written).toContain('authenticateTelegram');
    for (const secret of [initData, hash, session.accessToken, session.refreshToken, second.accessToken, refreshed.accessToken, refreshed.refreshToken, created.key]) {
      expect(written).not.toContain(secret);
    }
    // The key's random part, in case a prefix-stripped form were logged.
    expect(written).not.toContain(created.key.slice(-24));
  });
});

describe('unexpected errors', () => {
  it('answer INTERNAL with no detail and are logged once with the request id', async () => {
    const broken = captureLogs('info', 'api-broken');
    const brokenApi = await startApi(testConfig(), broken.log);
    try {
      // The database goes away under a running server: a real unexpected failure.
      await brokenApi.infra.orm.close(true);
      const response = await gql(brokenApi.url, `mutation { devSignIn(input: { telegramId: "${newTelegramId()}" }) { accessToken } }`, {
        headers: { 'x-request-id': 'broken-db-request-01' },
      });
      expect(response.status).toBe(200);
      expect(response.errors).toEqual([{ message: 'Internal server error', locations: [{ line: 1, column: 12 }], path: ['devSignIn'], extensions: { code: 'INTERNAL' } }]);
      const internal = broken.lines().filter((l) => l.msg === 'internal error');
      expect(internal).toHaveLength(1);
      expect(internal[0]).toMatchObject({ requestId: 'broken-db-request-01', path: ['devSignIn'] });
      expect(internal[0]?.err).toHaveProperty('stack');
    } finally {
      await brokenApi.stop();
    }
  });
});
