import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import { ensureDatabase, migrate, openDatabase } from '../../../server/infra/database/database.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The newest modification time of a .ts file under `dir`. */
async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * `npm run build` unless dist/ is newer than every source (as after `npm test`'s schema check),
 * so the worker runs from tsc output as in production (decorator metadata).
 */
export async function buildIfStale(): Promise<void> {
  const built = await stat(join(ROOT, 'dist/workers/main.js')).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(...(await Promise.all(['server', 'workers', 'scripts'].map((dir) => newestSource(join(ROOT, dir))))));
  if (built > sources) return;
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 120_000 });
}

/**
 * A database of its own next to the run's, so a worker process (whose relay serves the real
 * topics) never takes events another test file recorded. Migrated unless `migrated` is false.
 */
export async function createOwnDatabase(suffix: string, migrated = true): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  const name = `${url.pathname.slice(1)}_${suffix}`;
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  if (migrated) {
    const orm = await openDatabase(url.toString(), 1);
    await migrate(orm);
    await orm.close();
  }
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new URL(inject('databaseUrl'));
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** Runs `node dist/workers/main.js` with exactly `env` (plus PATH). */
export function runWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['dist/workers/main.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}
