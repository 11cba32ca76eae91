import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

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

/**
 * Credentials never reach a log line, whatever object a caller passes: these keys are censored
 * at the top level and one level down (e.g. `{ variables: { initData } }`).
 */
const SECRET_KEYS = ['authorization', 'cookie', 'apiKey', 'key', 'keyHash', 'secret', 'token', 'accessToken', 'refreshToken', 'initData', 'password'];
const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  '*.headers.authorization',
];

/**
 * JSON lines to stdout, or to `destination` (tests capture lines this way). Lines written while
 * serving a request carry its `requestId` without the caller passing it.
 */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
