import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Request, Response } from 'express';

/** A GraphQL request as it came over HTTP, its body already parsed. */
export interface GraphQLHttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * Runs one GraphQL request through Apollo and writes its answer. This is what
 * @as-integrations/express5 does, without two costs it pays on every request: the legacy
 * url.parse of the request line, and Express's res.send (charset and freshness checks, a Buffer
 * copy) for a body Apollo has already serialised and typed.
 */
export async function answerGraphQL<TContext extends BaseContext>(apollo: ApolloServer<TContext>, request: GraphQLHttpRequest, context: () => Promise<TContext>, res: ServerResponse): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method.toUpperCase(), headers, search: searchOf(request.url), body: request.body },
    context,
  });
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

/** GET and POST /graphql through Express (the requests graphql-post.ts leaves to it). */
export function apolloHandler<TContext extends BaseContext>(apollo: ApolloServer<TContext>, context: (req: Request, res: Response) => Promise<TContext>) {
  apollo.assertStarted('apolloHandler()');
  return (req: Request, res: Response): Promise<void> => answerGraphQL(apollo, { method: req.method, url: req.url, headers: req.headers, body: req.body as unknown }, () => context(req, res), res);
}

/** The query string of a request target, with its "?" (what Apollo reads GET operations from). */
function searchOf(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return '';
  const hash = url.indexOf('#', start);
  return hash === -1 ? url.slice(start) : url.slice(start, hash);
}
