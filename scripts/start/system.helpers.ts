import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of `name` on PATH, or null when it is not installed. */
export function findExecutable(name: string, extraDirs: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface CommandResult {
  ok: boolean;
  output: string;
}

/** Runs a program to completion (no shell) and keeps what it printed, for error messages. */
export function runCommand(file: string, args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim() || (error ? error.message : '');
      resolve({ ok: !error, output });
    });
  });
}

/** Whether a URL host is this machine: only then may `npm start` start a server for it. */
export function isLoopbackHost(hostname: string): boolean {
  return ['', 'localhost', '127.0.0.1', '::1', '[::1]'].includes(hostname.toLowerCase());
}

/** Quotes an argument for a copy-pasteable shell command. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(file: string, args: string[]): string {
  return [file, ...args].map(shellQuote).join(' ');
}

/** Polls `check` until it is true or `timeoutMs` passes; the answer says which. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A connection string fit for printing: the password is replaced. */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

/** A command that needs administrator rights: as root it runs as is, otherwise through sudo. */
export function asAdmin(command: string): string {
  return process.getuid?.() === 0 ? command : `sudo ${command}`;
}
