import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { signInNewUser } from '../../support/users.js';

/**
 * POST /graphql with a plain JSON body is served without Express (server/http/graphql-post.ts);
 * a chunked body (no Content-Length) still goes through Express. Both must answer alike.
 */
let api: ApiServer;
let token: string;
beforeAll(async () => {
  api = await startTestApi();
  token = (await signInNewUser(api.url)).token;
});
afterAll(async () => {
  await api.stop();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Sends `body` with a Content-Length (the direct path) or chunked (through Express). */
function send(body: string, way: 'direct' | 'express', headers: Record<string, string> = {}, path = '/graphql'): Promise<RawAnswer> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    if (way === 'direct') req.setHeader('content-length', Buffer.byteLength(body));
    else req.setHeader('transfer-encoding', 'chunked');
    req.end(body);
  });
}

/** What a client sees of an answer, without the parts that differ per request (ids, dates). */
function seen(answer: RawAnswer) {
  return {
    status: answer.status,
    type: answer.headers['content-type'],
    cors: [answer.headers['access-control-allow-origin'], answer.headers['access-control-expose-headers']],
    rateLimit: answer.headers['x-ratelimit-limit'],
    body: answer.body,
  };
}

const CASES: Array<[string, string, Record<string, string>]> = [
  ['a query', JSON.stringify({ query: '{ __typename }' }), {}],
  ['a signed-in query with variables and an operation name', JSON.stringify({ query: 'query Me($n: Int) { viewer { tracks(first: $n) { edges { node { id } } } } } query Other { __typename }', operationName: 'Me', variables: { n: 5 } }), { authorization: 'TOKEN' }],
  ['a bad token', JSON.stringify({ query: '{ viewer { user { id } } }' }), { authorization: 'Bearer nope' }],
  ['a syntax error', JSON.stringify({ query: '{ viewer { ' }), {}],
  ['an unknown field', JSON.stringify({ query: '{ nope }' }), {}],
  ['JSON that does not parse', '{"query": "{ __typename }"', {}],
  ['a JSON string', '"{ __typename }"', {}],
  ['a batch', '[{"query": "{ __typename }"}]', {}],
  ['no query', '{"variables": {}}', {}],
  ['a byte-order mark', '\uFEFF{"query": "{ __typename }"}', {}],
  ['variables that are not an object', '{"query": "{ __typename }", "variables": "{}"}', {}],
  ['Accept: application/json only', JSON.stringify({ query: '{ __typename }' }), { accept: 'application/json' }],
  ['an Accept it cannot serve', JSON.stringify({ query: '{ __typename }' }), { accept: 'application/xml' }],
  ['charset=utf-8', JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json; charset=utf-8' }],
];

describe('POST /graphql with and without Express', () => {
  it.each(CASES)('answers %s the same way', async (_label, body, given) => {
    const headers = given.authorization === 'TOKEN' ? { ...given, authorization: `Bearer ${token}` } : given;
    const [direct, express] = [await send(body, 'direct', headers), await send(body, 'express', headers)];
    expect(seen(direct)).toEqual(seen(express));
    expect(direct.headers['x-request-id']).toMatch(/^[\w-]{8,64}$/);
  });

  it('echoes a well-formed X-Request-Id on both paths', async () => {
    for (const way of ['direct', 'express'] as const) {
      const answer = await send(JSON.stringify({ query: '{ __typename }' }), way, { 'x-request-id': 'trace-0123456789' });
      expect(answer.headers['x-request-id']).toBe('trace-0123456789');
    }
  });

  it('serves a POST whose URL carries a query string', async () => {
    const answer = await send(JSON.stringify({ query: '{ __typename }' }), 'direct', {}, '/graphql?from=test');
    expect(answer).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});
