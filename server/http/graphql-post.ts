import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import type { Metrics } from '../infra/metrics.js';
import { withRequestId } from '../infra/logger.js';
import { logWhenAnswered } from './access-log.js';
import { answerGraphQL } from './apollo-handler.js';
import { allowAnyOrigin } from './cors.js';
import { jsonBodyProblem, MAX_BODY_BYTES, refuse } from './graphql-request.js';
import { requestIdOf } from './request-id.js';

export interface GraphQLPostOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  path: string;
  metrics: Metrics;
  log: Logger;
  context: (req: IncomingMessage, requestId: string) => Promise<TContext>;
}

/**
 * The API's busiest request, POST /graphql with a plain JSON body, served straight from Node's
 * request event. Express's router, body-parser and res.send cost about 0.2 ms of CPU per
 * request (measured with `{ __typename }`), as much as a whole page of tracks costs to execute.
 * The answer is the same as through Express: the same request id, CORS headers, access line,
 * body checks and refusals. Anything less common (another method, content type, charset or
 * Content-Encoding, a body without a Content-Length or over the limit) goes to Express as before.
 */
export function graphqlPost<TContext extends BaseContext>(options: GraphQLPostOptions<TContext>) {
  const { apollo, path, metrics, log, context } = options;
  apollo.assertStarted('graphqlPost()');

  const takes = (req: IncomingMessage): boolean => {
    if (req.method !== 'POST' || !isPath(req.url, path)) return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    const length = Number(req.headers['content-length'] ?? NaN);
    return length > 0 && length <= MAX_BODY_BYTES && isPlainJson(req.headers['content-type']);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, requestId: string, text: string): Promise<void> => {
    const body = parseStrictJson(text);
    if (body === NOT_JSON) return refuse(req, res, metrics, 400, 'The request body is not valid JSON');
    const problem = jsonBodyProblem(body, req.headers['content-length']);
    if (problem) return refuse(req, res, metrics, problem.status, problem.message);
    await answerGraphQL(apollo, { method: 'POST', url: req.url!, headers: req.headers, body }, () => context(req, requestId), res);
  };

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    allowAnyOrigin(res);
    logWhenAnswered(log, res, requestId, req.method, path);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      withRequestId(requestId, () =>
        answer(req, res, requestId, text).catch((error: unknown) => {
          log.error({ err: error }, 'request failed');
          if (res.headersSent) res.destroy();
          else refuse(req, res, metrics, 500, 'Internal server error');
        }),
      );
    });
  };

  return { takes, serve };
}

function isPath(url: string | undefined, path: string): boolean {
  return url !== undefined && url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
}

/** application/json, with no parameter but charset=utf-8 (what body-parser would take as is). */
function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.toLowerCase().split(';');
  if (type!.trim() !== 'application/json') return false;
  return parameters.every((parameter) => /^\s*charset\s*=\s*"?utf-8"?\s*$/.test(parameter));
}

const NOT_JSON = Symbol('not JSON');

/** JSON.parse as body-parser's strict mode does it: an object or an array, a BOM ignored. */
function parseStrictJson(text: string): unknown {
  const start = /^[\s\uFEFF]*/.exec(text)![0].length;
  if (text[start] !== '{' && text[start] !== '[') return NOT_JSON;
  try {
    return JSON.parse(text.slice(start)) as unknown;
  } catch {
    return NOT_JSON;
  }
}
