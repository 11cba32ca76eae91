import type { IncomingMessage, ServerResponse } from 'node:http';
import accepts from 'accepts';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../infra/metrics.js';

/** The largest request body accepted on /graphql. */
export const MAX_BODY_BYTES = 256 * 1024;

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/** Content types a browser may send cross-site without a preflight (Apollo's CSRF prevention list). */
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
/** Headers that force a preflight; Apollo accepts any of them as proof a request is not CSRF. */
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

/**
 * Answers a request that fails before GraphQL sees it the way the GraphQL-over-HTTP spec asks:
 * a JSON `errors` list, in application/graphql-response+json when the client accepts it.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, metrics: Metrics, status: number, message: string): void {
  const code = status >= 500 ? 'INTERNAL' : 'BAD_USER_INPUT';
  metrics.errors.inc({ code });
  const type = accepts(req).type([GRAPHQL_RESPONSE, 'application/json']) === GRAPHQL_RESPONSE ? GRAPHQL_RESPONSE : 'application/json';
  res.statusCode = status;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface BodyProblem {
  status: number;
  message: string;
}

/**
 * What is wrong with a parsed JSON body before Apollo sees it, if anything: it must be one JSON
 * object with a `query` string (or a persisted query). Apollo's own answers here are vague
 * ("POST body missing, invalid Content-Type, or JSON object has no keys").
 */
export function jsonBodyProblem(body: unknown, contentLength: string | undefined): BodyProblem | null {
  if (body === undefined || contentLength === '0') return { status: 400, message: 'The request body is empty; send {"query": "..."} as JSON' };
  if (Array.isArray(body)) return { status: 400, message: 'Batched operations are not supported; send one operation per request' };
  if (!isPlainObject(body)) return { status: 400, message: 'The request body must be a JSON object such as {"query": "{ viewer { user { id } } }"}' };
  const persisted = isPlainObject(body.extensions) && body.extensions.persistedQuery !== undefined;
  if ((body.query === undefined || body.query === '') && !persisted) {
    return { status: 400, message: 'The JSON body has no "query": send the GraphQL document as a string in "query"' };
  }
  return null;
}

/**
 * Checks the shape of a POST before Apollo (see jsonBodyProblem). Bodies in a "simple" content
 * type without a preflight header go on to Apollo, whose CSRF prevention refuses them; other
 * non-JSON bodies answer 415.
 */
export function graphqlBodyGuard(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      const simple = type === '' || SIMPLE_TYPES.includes(type);
      if (simple && !PREFLIGHT_HEADERS.some((name) => req.header(name))) return next();
      return refuse(req, res, metrics, 415, 'Send the operation as a JSON body with Content-Type: application/json');
    }
    const problem = jsonBodyProblem(req.body, req.header('content-length'));
    if (problem) return refuse(req, res, metrics, problem.status, problem.message);
    next();
  };
}

/**
 * Malformed or oversized bodies answer like any GraphQL request error, not with an HTML page;
 * anything else that escapes a handler is logged and answered as a masked INTERNAL error.
 */
export function bodyErrors(metrics: Metrics, log: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status === 413) return refuse(req, res, metrics, 413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; send a smaller query or fewer variables`);
    if (status === 400) return refuse(req, res, metrics, 400, 'The request body is not valid JSON');
    if (status === 415) return refuse(req, res, metrics, 415, 'The request body uses an unsupported encoding; send UTF-8 JSON');
    log.error({ err: error }, 'request failed');
    refuse(req, res, metrics, 500, 'Internal server error');
  };
}

/** Any other path answers a JSON 404 that says where the API is, not Express's HTML page. */
export function notFound(metrics: Metrics) {
  return (req: Request, res: Response): void => {
    metrics.errors.inc({ code: 'NOT_FOUND' });
    res.status(404).json({ errors: [{ message: 'Nothing here: GraphQL is served at /graphql (POST, GET or WebSocket)', extensions: { code: 'NOT_FOUND' } }] });
  };
}
