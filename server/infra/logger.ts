import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

/** What every log line written while serving one request carries. */
interface LogScope {
  requestId: string;
}

const scope = new AsyncLocalStorage<LogScope>();

/** Runs `fn` so that every log line written inside it names `requestId`. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

/** Credentials never reach a log line, whatever object a caller passes. */
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'apiKey',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'initData',
  'variables.initData',
  'variables.refreshToken',
];

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  });
}
