import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { newTelegramId } from '../../support/telegram.js';

/**
 * The GraphQL-over-HTTP spec (graphql/graphql-over-http) as a client sees it: media types,
 * GET for queries only, request errors as 400 with a readable message and BAD_USER_INPUT,
 * Apollo's CSRF prevention and the body size limit.
 */
let api: ApiServer;
let endpoint: string;
beforeAll(async () => {
  api = await startTestApi();
  endpoint = `${api.url}/graphql`;
});
afterAll(async () => {
  await api.stop();
});

interface Answer {
  status: number;
  type: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** Whether a user with this Telegram id exists: proves whether a sign-in mutation ran. */
async function userExists(telegramId: number): Promise<boolean> {
  const rows = await api.infra.orm.em.fork().getConnection().execute<Array<{ n: string }>>('select count(*) as n from users where telegram_id = ?', [telegramId]);
  return Number(rows[0]?.n) > 0;
}

function devSignIn(telegramId: number): string {
  return `mutation { devSignIn(input: { telegramId: "${telegramId}" }) { accessToken } }`;
}

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Answer['body'] };
}

async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  return answer(response);
}

async function get(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${endpoint}?${new URLSearchParams(params)}`, {
    headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true', ...headers },
  });
  return answer(response);
}

/** A request error: no data entry, one BAD_USER_INPUT error whose message matches. */
function expectRequestError(result: Answer, status: number, message: RegExp): void {
  expect(result.status).toBe(status);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(result.body.errors?.[0]?.message).toMatch(message);
}

describe('POST', () => {
  it('answers application/graphql-response+json when the client accepts it', async () => {
    const result = await post(JSON.stringify({ query: '{ apiKeyScopes { name } }' }));
    expect(result.status).toBe(200);
    expect(result.type).toMatch(/^application\/graphql-response\+json/);
    expect(result.body.data?.apiKeyScopes).toContainEqual({ name: 'tracks:read' });
  });

  it('answers application/json to a client that accepts only that', async () => {
    const result = await post(JSON.stringify({ query: '{ __typename }' }), { accept: 'application/json' });
    expect(result.status).toBe(200);
    expect(result.type).toMatch(/^application\/json/);
    expect(result.body.data).toEqual({ __typename: 'Query' });
  });

  it('answers application/json to a client that sends no Accept, as the spec asks', async () => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('picks the operation named by operationName and uses variables', async () => {
    const query = 'query A { __typename } query B($id: ID!) { node(id: $id) { id } }';
    const result = await post(JSON.stringify({ query, operationName: 'A', variables: { id: 'unused' } }));
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ __typename: 'Query' });
  });

  it('refuses an Accept it cannot serve with 406', async () => {
    const result = await post(JSON.stringify({ query: '{ __typename }' }), { accept: 'application/xml' });
    expect(result.status).toBe(406);
  });

  it('refuses a body that is not JSON with 400 BAD_USER_INPUT in the accepted media type', async () => {
    const result = await post('{"query": "{ __typename }"');
    expectRequestError(result, 400, /not valid JSON/);
    expect(result.type).toMatch(/^application\/graphql-response\+json/);
  });

  it.each([
    ['an empty object', '{}'],
    ['an empty query', '{"query": ""}'],
    ['only variables', '{"variables": {}}'],
  ])('refuses %s with 400 saying the query is missing', async (_label, body) => {
    expectRequestError(await post(body), 400, /no "query"/);
  });

  it('refuses an empty body with 400', async () => {
    expectRequestError(await post(''), 400, /body is empty/);
  });

  it('refuses a JSON value that is not an object with 400', async () => {
    expectRequestError(await post('"{ __typename }"'), 400, /not valid JSON|must be a JSON object/);
    expectRequestError(await post('[{"query": "{ __typename }"}]'), 400, /not supported/);
  });

  it('refuses a query that is not a string, or variables that are not an object, with 400', async () => {
    expectRequestError(await post('{"query": 5}'), 400, /must be strings/);
    expectRequestError(await post('{"query": "{ __typename }", "variables": "{}"}'), 400, /variables/);
  });

  it('refuses a syntax error with 400 and where it is', async () => {
    const result = await post(JSON.stringify({ query: '{ apiKeyScopes { name ' }));
    expectRequestError(result, 400, /^Syntax Error: Expected Name, found <EOF>/);
    expect(result.body.errors?.[0]).toHaveProperty('locations');
  });

  it('refuses an unknown field with 400 and a suggestion', async () => {
    expectRequestError(await post(JSON.stringify({ query: '{ viewr { user { id } } }' })), 400, /Cannot query field "viewr" on type "Query"\. Did you mean "viewer"\?/);
  });

  it('refuses an unknown operation name, or several operations without one, with 400', async () => {
    const query = 'query A { __typename } query B { __typename }';
    expectRequestError(await post(JSON.stringify({ query, operationName: 'C' })), 400, /Unknown operation named "C"/);
    expectRequestError(await post(JSON.stringify({ query })), 400, /Must provide operation name/);
  });

  it('refuses missing or mistyped variables with 400', async () => {
    const query = 'query ($id: ID!) { node(id: $id) { id } }';
    const missing = await post(JSON.stringify({ query, variables: {} }));
    expectRequestError(missing, 400, /Variable "\$id" of required type "ID!" was not provided/);
    expect(missing.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expectRequestError(await post(JSON.stringify({ query, variables: { id: { nested: true } } })), 400, /\$id/);
  });

  it('answers a field error with 200, data and the error code (a partial response)', async () => {
    const result = await post(JSON.stringify({ query: '{ viewer { user { id } } }' }));
    expect(result.status).toBe(200);
    expect(result.body.data).toBeNull();
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a body over 256 KiB with 413 and a JSON GraphQL error', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(257 * 1024) } });
    const result = await post(body);
    expect(result.status).toBe(413);
    expect(result.type).toMatch(/^application\/graphql-response\+json/);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.message).toMatch(/larger than 256 KiB/);
  });

  it('accepts a body just under 256 KiB', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(255 * 1024) } });
    const result = await post(body);
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ __typename: 'Query' });
  });

  it('refuses a non-JSON content type that passed a preflight with 415', async () => {
    const result = await post('query { __typename }', { 'content-type': 'application/graphql', 'apollo-require-preflight': 'true' });
    expectRequestError(result, 415, /Content-Type: application\/json/);
  });
});

describe('GET', () => {
  it('runs a query from the URL', async () => {
    const result = await get({ query: 'query Scopes { apiKeyScopes { name } }', operationName: 'Scopes' });
    expect(result.status).toBe(200);
    expect(result.type).toMatch(/^application\/graphql-response\+json/);
    expect(result.body.data?.apiKeyScopes).toContainEqual({ name: 'tracks:read' });
  });

  it('takes variables as a JSON string', async () => {
    const result = await get({ query: 'query ($id: ID!) { node(id: $id) { id } }', variables: JSON.stringify({ id: 'x' }) });
    expect(result.status).toBe(200);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a mutation with 405 and Allow: POST, and does not run it', async () => {
    const telegramId = newTelegramId();
    const response = await fetch(`${endpoint}?${new URLSearchParams({ query: devSignIn(telegramId) })}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as Answer['body'];
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(/GET requests only support query operations/);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await userExists(telegramId)).toBe(false);
  });

  it('refuses a GET without a query with 400', async () => {
    expectRequestError(await get({}), 400, /non-empty `query`/);
  });

  it('serves the Playground to a browser', async () => {
    const response = await fetch(endpoint, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('MusicVerse Playground');
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET without a preflight header and runs nothing', async () => {
    const response = await fetch(`${endpoint}?${new URLSearchParams({ query: '{ __typename }' })}`, { headers: { accept: 'application/json' } });
    const result = await answer(response);
    expectRequestError(result, 400, /Cross-Site Request Forgery/);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a POST in the simple content type %s without a preflight header',
    async (type) => {
      const telegramId = newTelegramId();
      const result = await post(JSON.stringify({ query: devSignIn(telegramId) }), { 'content-type': type });
      expectRequestError(result, 400, /Cross-Site Request Forgery/);
      expect(await userExists(telegramId)).toBe(false);
    },
  );

  it('runs the same mutation sent as JSON (the refusals above are not for another reason)', async () => {
    const telegramId = newTelegramId();
    const result = await post(JSON.stringify({ query: devSignIn(telegramId) }));
    expect(result.status).toBe(200);
    expect(await userExists(telegramId)).toBe(true);
  });

  it('accepts a GET that carries a preflight header', async () => {
    const result = await get({ query: '{ __typename }' }, { 'x-apollo-operation-name': 'Anything' });
    expect(result.body.data).toEqual({ __typename: 'Query' });
  });
});

describe('other paths and methods', () => {
  it('answers an unknown path with a JSON 404 pointing at /graphql', async () => {
    const response = await fetch(`${api.url}/graphq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
    const body = (await response.json()) as Answer['body'];
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(body.errors?.[0]?.message).toMatch(/\/graphql/);
  });

  it('refuses PUT with 405 and says which methods work', async () => {
    const response = await fetch(endpoint, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/GET, POST/);
  });
});

describe('CORS', () => {
  it('answers a browser preflight from another origin and lets the request through', async () => {
    const preflight = await fetch(`${api.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const answer = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { origin: 'https://app.example', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ apiKeyScopes { name } }' }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });
});
