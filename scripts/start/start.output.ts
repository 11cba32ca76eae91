import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

const colours = process.stdout.isTTY && !process.env.NO_COLOR;
const PALETTE: Record<string, string> = { start: '32', api: '36', worker: '35' };

function tag(name: string): string {
  const text = `[${name}]`;
  return colours ? `\u001b[${PALETTE[name] ?? '33'}m${text}\u001b[0m` : text;
}

/** A line of `npm start` itself. */
export function say(message: string): void {
  process.stdout.write(`${tag('start')} ${message}\n`);
}

/** A problem the user must act on; `command` is printed on its own line to copy. */
export function complain(message: string, command?: string): void {
  process.stderr.write(`${tag('start')} ${message}\n`);
  if (command) process.stderr.write(`\n    ${command}\n\n`);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const QUIET_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/**
 * In a terminal, pino's JSON lines become "LEVEL message {fields}" so people can read them;
 * piped output stays JSON for log collectors.
 */
function readable(line: string): string {
  if (!colours || !line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.level !== 'number' || typeof entry.msg !== 'string') return line;
    const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !QUIET_FIELDS.has(key)));
    const fields = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${LEVELS[entry.level] ?? entry.level} ${entry.msg}${fields}`;
  } catch {
    return line;
  }
}

/** Copies `input` to `output` line by line, each line starting with `[name]`. */
export function prefixLines(name: string, input: Readable, output: Writable): void {
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
    output.write(`${tag(name)} ${readable(line)}\n`);
  });
}
