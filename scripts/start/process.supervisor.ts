import { spawn, type ChildProcess } from 'node:child_process';
import { prefixLines } from './start.output.js';

export interface ChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Settles when the process has exited and its output is flushed. */
  exited: Promise<ChildExit>;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Runs `node <script>` with its output lines prefixed by `[name]`. The child gets its own
 * process group: a terminal's Ctrl-C reaches only `npm start`, which then sends each child one
 * SIGTERM (a child that saw both would take the second signal as "exit now, skip the drain").
 */
export function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, cwd: string): Child {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Detached children would outlive a crash of `npm start`; take them down with it.
  process.once('exit', () => {
    if (running(child)) child.kill('SIGKILL');
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', () => resolve({ name, code: 1, signal: null }));
    child.once('close', (code, signal) => resolve({ name, code, signal }));
  });
  return { name, process: child, exited };
}

/**
 * Asks every running child to stop with SIGTERM (each drains its own work), and kills what
 * is still running after `graceMs`. Resolves with every exit.
 */
export async function stopAll(children: Child[], graceMs: number): Promise<ChildExit[]> {
  for (const child of children) if (running(child.process)) child.process.kill('SIGTERM');
  const timer = setTimeout(() => killAll(children), graceMs);
  try {
    return await Promise.all(children.map((child) => child.exited));
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every child at once (a second Ctrl-C, or the grace period is over). */
export function killAll(children: Child[]): void {
  for (const child of children) if (running(child.process)) child.process.kill('SIGKILL');
}

/** A stop we asked for ended well: exit code 0, or ended by the signal we sent. */
export function stoppedCleanly(exit: ChildExit): boolean {
  return exit.code === 0 || exit.signal === 'SIGTERM';
}
