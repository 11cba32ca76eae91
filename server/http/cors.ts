import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/**
 * Browser apps on any origin may call the API. Credentials travel in headers (Bearer, X-API-Key),
 * never cookies, so allowing every origin grants nothing a script could not already send;
 * CSRF prevention still refuses "simple" requests that skip the preflight.
 */
export function cors(req: Request, res: Response, next: NextFunction): void {
  allowAnyOrigin(res);
  if (req.method !== 'OPTIONS') return next();
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Accept, Authorization, X-API-Key, X-Request-Id, Apollo-Require-Preflight, X-Apollo-Operation-Name');
  res.setHeader('Access-Control-Max-Age', '86400');
  res.status(204).end();
}

/** The headers every answer on /graphql carries, preflight or not. */
export function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Used');
}
