import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../server/infra/logger.js';

export interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  [key: string]: unknown;
}

/** A real pino logger whose JSON lines are kept in memory, so a test can read what was logged. */
export function captureLogs(level: string, name = 'captured'): { log: Logger; lines: () => LogLine[]; text: () => string } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const log = createLogger(level, name, destination);
  return { log, lines: () => raw.map((line) => JSON.parse(line) as LogLine), text: () => raw.join('\n') };
}
