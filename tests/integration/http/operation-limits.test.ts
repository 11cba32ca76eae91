import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { sampleOf, scrape } from '../../support/prometheus.js';
import { newTelegramId } from '../../support/telegram.js';

/** Depth and cost limits refuse an operation before any resolver runs; the server keeps serving. */
const MAX_DEPTH = 2;
const MAX_COST = 5_000;

let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi({ GRAPHQL_MAX_DEPTH: String(MAX_DEPTH), GRAPHQL_MAX_COST: String(MAX_COST) });
});
afterAll(async () => {
  await api.stop();
});

async function usersWithIds(telegramIds: number[]): Promise<number> {
  const rows = await api.infra.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ n: string }>>("select count(*) as n from users where telegram_id = any(string_to_array(?, ',')::bigint[])", [telegramIds.join(',')]);
  return Number(rows[0]?.n);
}

/** How many times the root resolver Mutation.devSignIn has run, from /metrics. */
async function devSignInRuns(): Promise<number> {
  return sampleOf(await scrape(api.url), 'graphql_resolver_duration_seconds_count', { parent_type: 'Mutation', field: 'devSignIn' });
}

describe('depth limit', () => {
  it('refuses a mutation one level too deep with BAD_USER_INPUT naming the limit, and runs nothing', async () => {
    const telegramId = newTelegramId();
    const runsBefore = await devSignInRuns();
    const response = await gql(api.url, `mutation { devSignIn(input: { telegramId: "${telegramId}" }) { user { id } } }`);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe(`Query depth 3 exceeds the maximum depth of ${MAX_DEPTH}; split it into smaller queries`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ limit: MAX_DEPTH, actual: 3 });
    expect(await usersWithIds([telegramId])).toBe(0);
    expect(await devSignInRuns()).toBe(runsBefore);
  });

  it('runs the same mutation within the limit (the resolver count moves when it runs)', async () => {
    const telegramId = newTelegramId();
    const runsBefore = await devSignInRuns();
    const response = await gql<{ devSignIn: { accessToken: string } }>(api.url, `mutation { devSignIn(input: { telegramId: "${telegramId}" }) { accessToken } }`);
    expect(dataOf(response).devSignIn.accessToken).toBeTruthy();
    expect(await usersWithIds([telegramId])).toBe(1);
    expect(await devSignInRuns()).toBe(runsBefore + 1);
  });

  it('counts depth through named and inline fragments', async () => {
    const named = await gql(api.url, 'query { viewer { ...Me } } fragment Me on Viewer { user { id } }');
    expect(response400(named)).toMatch(/Query depth 3 exceeds the maximum depth of 2/);
    const inline = await gql(api.url, 'query { viewer { ... on Viewer { user { id } } } }');
    expect(response400(inline)).toMatch(/Query depth 3 exceeds the maximum depth of 2/);
  });

  it("does not refuse the Playground's introspection query", async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const response = await gql<{ __schema: { queryType: { name: string }; types: Array<{ name: string }> } }>(api.url, query);
    const schema = dataOf(response).__schema;
    expect(schema.queryType.name).toBe('Query');
    expect(schema.types.map((t) => t.name)).toContain('Viewer');
  });
});

describe('cost limit', () => {
  it('refuses a query costlier than the limit with BAD_USER_INPUT naming the limit', async () => {
    // apiKeyScopes { name description } costs 3; 1,700 copies cost 5,100.
    const fields = Array.from({ length: 1_700 }, (_, i) => `s${i}: apiKeyScopes { name description }`).join(' ');
    const response = await gql(api.url, `query Costly { ${fields} }`);
    expect(response.status).toBe(400);
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe(`Query cost 5100 exceeds the maximum cost of ${MAX_COST}; ask for fewer items per page or fewer fields`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ limit: MAX_COST, actual: 5100 });
  });

  it('refuses a costly batch of mutations before the first one runs', async () => {
    // Each aliased devSignIn { accessToken } costs 2; 2,600 of them cost 5,200.
    const ids = Array.from({ length: 2_600 }, () => newTelegramId());
    const fields = ids.map((id, i) => `m${i}: devSignIn(input: { telegramId: "${id}" }) { accessToken }`).join(' ');
    const runsBefore = await devSignInRuns();
    const response = await gql(api.url, `mutation Many { ${fields} }`);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/^Query cost 5200 exceeds the maximum cost of 5000/);
    expect(await usersWithIds(ids)).toBe(0);
    expect(await devSignInRuns()).toBe(runsBefore);
  });

  it('keeps serving after refusals', async () => {
    const response = await gql<{ apiKeyScopes: Array<{ name: string }> }>(api.url, '{ apiKeyScopes { name } }');
    expect(dataOf(response).apiKeyScopes.length).toBeGreaterThan(0);
  });
});

function response400(response: Awaited<ReturnType<typeof gql>>): string {
  expect(response.status).toBe(400);
  expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  return response.errors?.[0]?.message ?? '';
}
