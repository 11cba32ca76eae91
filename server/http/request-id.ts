import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { withRequestId } from '../infra/logger.js';

/** The caller's X-Request-Id when it looks like one (so a trace spans services), else a new id. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
}

/** Every request gets an id, echoed in X-Request-Id and written on each of its log lines. */
export function requestIds(req: Request, res: Response, next: NextFunction): void {
  const requestId = requestIdOf(req);
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  withRequestId(requestId, next);
}

/** Re-enters the request's log scope: body parsing resumes from socket events outside it. */
export function requestScope(_req: Request, res: Response, next: NextFunction): void {
  withRequestId(String(res.locals.requestId), next);
}
