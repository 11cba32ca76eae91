import type { IncomingMessage } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { graphqlPost } from '../../../server/http/graphql-post.js';
import type { Metrics } from '../../../server/infra/metrics.js';

const route = graphqlPost({
  apollo: { assertStarted: () => undefined } as unknown as ApolloServer<BaseContext>,
  path: '/graphql',
  metrics: {} as Metrics,
  log: {} as Logger,
  context: async () => ({}),
});

function requestOf(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

const JSON_POST = { 'content-type': 'application/json', 'content-length': '30' };

describe('which requests skip Express', () => {
  it.each([
    ['POST /graphql with a JSON body and its length', 'POST', '/graphql', JSON_POST],
    ['a query string on the URL', 'POST', '/graphql?op=x', JSON_POST],
    ['charset=utf-8, any case and spacing', 'POST', '/graphql', { ...JSON_POST, 'content-type': 'Application/JSON ;  Charset="UTF-8"' }],
    ['Content-Encoding: identity', 'POST', '/graphql', { ...JSON_POST, 'content-encoding': 'identity' }],
    ['a body of exactly 256 KiB', 'POST', '/graphql', { ...JSON_POST, 'content-length': String(256 * 1024) }],
  ])('takes %s', (_label, method, url, headers) => {
    expect(route.takes(requestOf(method, url, headers))).toBe(true);
  });

  it.each([
    ['GET', 'GET', '/graphql', JSON_POST],
    ['OPTIONS', 'OPTIONS', '/graphql', JSON_POST],
    ['another path', 'POST', '/graphqlx', JSON_POST],
    ['a sub-path', 'POST', '/graphql/x', JSON_POST],
    ['another content type', 'POST', '/graphql', { ...JSON_POST, 'content-type': 'text/plain' }],
    ['another charset', 'POST', '/graphql', { ...JSON_POST, 'content-type': 'application/json; charset=latin1' }],
    ['another parameter', 'POST', '/graphql', { ...JSON_POST, 'content-type': 'application/json; profile=x' }],
    ['no content type', 'POST', '/graphql', { 'content-length': '30' }],
    ['a gzip body', 'POST', '/graphql', { ...JSON_POST, 'content-encoding': 'gzip' }],
    ['no Content-Length (chunked)', 'POST', '/graphql', { 'content-type': 'application/json' }],
    ['an empty body', 'POST', '/graphql', { ...JSON_POST, 'content-length': '0' }],
    ['a body over 256 KiB', 'POST', '/graphql', { ...JSON_POST, 'content-length': String(256 * 1024 + 1) }],
  ])('leaves %s to Express', (_label, method, url, headers) => {
    expect(route.takes(requestOf(method, url, headers))).toBe(false);
  });
});
