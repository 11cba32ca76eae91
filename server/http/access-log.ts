import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/** Probes are polled every few seconds; their lines would drown the rest at info. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One line per HTTP request when its answer is sent: method, path (never the query string,
 * which can carry variables), status, duration and the request id.
 */
export function accessLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    logWhenAnswered(log, res, String(res.locals.requestId), req.method, req.path);
    next();
  };
}

/** Writes the access line of one request once `res` is sent or abandoned. */
export function logWhenAnswered(log: Logger, res: ServerResponse, requestId: string, method: string | undefined, path: string): void {
  // Nothing to time or to write when no line would be logged (LOG_LEVEL above info; a level
  // that shows debug shows info too).
  if (!log.isLevelEnabled('info')) return;
  const started = process.hrtime.bigint();
  const done = () => {
    res.off('finish', done);
    res.off('close', done);
    const line = { requestId, method, path, status: res.writableFinished ? res.statusCode : null, durationMs: Number(process.hrtime.bigint() - started) / 1e6 };
    if (PROBES.has(path)) log.debug(line, 'http request');
    else log.info(line, res.writableFinished ? 'http request' : 'http request aborted by the client');
  };
  res.on('finish', done);
  res.on('close', done);
}
